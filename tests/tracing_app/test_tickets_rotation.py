"""``tracing-app keys rotate``: every row re-encrypted, no row lost, old key removable."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, text

from content.extensions import db
from tracing_app.protection.crypto import context_for, encrypt
from tracing_app.protection.data_keys import DataKey
from tracing_app.protection.keyfile import add_key_to_file, key_file_path
from tracing_app.protection.keyring import current_key_ring, forget_key_ring
from tracing_app.tickets import escalations, operations
from tracing_app.tickets.models import Ticket, TicketBlindIndex

pytestmark = pytest.mark.db


@pytest.fixture
def restore_keys(app):
    """Put the app's key file back after the test (other tests use it)."""
    path = key_file_path(app.instance_path)
    saved = path.read_bytes()
    yield path
    path.write_bytes(saved)
    forget_key_ring(app)


def _wrapped_key(ticket_id: int) -> str:
    """The ticket's data key as stored: a token of the key ring."""
    return db.session.scalar(
        select(DataKey.wrapped_key).where(DataKey.owner == "tickets", DataKey.owner_id == ticket_id)
    )


def _index_keys(ticket_id: int) -> set[str]:
    return set(
        db.session.scalars(
            select(TicketBlindIndex.key_id).where(TicketBlindIndex.ticket_id == ticket_id)
        )
    )


def _seed(make_ticket, dummy_user, count=5):
    tickets = [
        make_ticket(phone=f"0470 00 00 0{n}", national_number=None, first_name=f"Person{n}")
        for n in range(count)
    ]
    escalation = escalations.escalate(tickets[0], "Koorts sinds maandag", actor=dummy_user)
    db.session.commit()
    return tickets, escalation


def test_rotation_reencrypts_everything_and_the_old_key_can_go(
    runner, restore_keys, make_ticket, dummy_user
):
    tickets, escalation = _seed(make_ticket, dummy_user)
    old_id = current_key_ring().current_id
    versions = {t.id: t.version for t in tickets}

    result = runner.invoke(args=["keys", "rotate", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert "tickets: 5 rows re-encrypted" in result.output
    assert "ticket_escalations: 1 rows re-encrypted" in result.output
    assert "data_keys: 5 rows re-encrypted" in result.output

    ring = current_key_ring()
    new_id = ring.current_id
    assert new_id != old_id
    assert ring.key_ids == (old_id, new_id)
    db.session.expire_all()
    for ticket in db.session.scalars(select(Ticket)):
        # Fields stay under the ticket's own key, which is re-wrapped under the new key.
        assert ticket.first_name_enc.startswith("v1:_row:")
        assert _wrapped_key(ticket.id).startswith(f"v1:{new_id}:")
        assert ticket.version == versions[ticket.id]  # content unchanged: no new version
    key_ids = set(db.session.scalars(select(TicketBlindIndex.key_id)))
    assert key_ids == {new_id}

    listing = runner.invoke(args=["keys", "list"]).output
    assert f"{old_id}" in listing
    assert "0 rows under this key" in listing

    result = runner.invoke(args=["keys", "retire", old_id])
    assert result.exit_code == 0, result.output
    assert current_key_ring().key_ids == (new_id,)
    db.session.expire_all()
    names = sorted(
        operations.decrypt_ticket(t).first_name for t in db.session.scalars(select(Ticket))
    )
    assert names == [f"Person{n}" for n in range(5)]
    assert escalations.text_of(db.session.merge(escalation), "note") == "Koorts sinds maandag"
    assert operations.tickets_by_index("phone", "+32470000003")[0].id == tickets[3].id


def test_lookup_works_before_the_rows_are_rotated(restore_keys, make_ticket):
    ticket = make_ticket()
    add_key_to_file(restore_keys, make_current=True)
    forget_key_ring()
    assert operations.tickets_by_index("phone", "0470123456") == [ticket]  # old key's index
    assert operations.decrypt_ticket(ticket).last_name == "Vanderhaeghen"


def test_a_key_in_use_cannot_be_retired(runner, restore_keys, make_ticket):
    make_ticket()
    old_id = current_key_ring().current_id
    add_key_to_file(restore_keys, make_current=True)
    forget_key_ring()
    result = runner.invoke(args=["keys", "retire", old_id])
    assert result.exit_code != 0
    assert "still under this key" in result.output
    assert old_id in current_key_ring().key_ids


def test_a_token_that_does_not_open_stops_the_run_and_loses_nothing(
    runner, restore_keys, make_ticket, dummy_user
):
    tickets, _escalation = _seed(make_ticket, dummy_user, count=4)
    old_id = current_key_ring().current_id
    broken = tickets[3]
    # A token copied from another row: it does not open here.
    db.session.execute(
        text("UPDATE tickets SET first_name_enc = :token WHERE id = :id"),
        {"token": tickets[0].first_name_enc, "id": broken.id},
    )
    db.session.commit()

    result = runner.invoke(args=["keys", "rotate", "--batch-size", "2"])
    assert result.exit_code == 1
    assert broken.reference in result.output
    assert "Person" not in result.output  # never a value
    new_id = current_key_ring().current_id
    db.session.expire_all()
    by_id = {t.id: t for t in db.session.scalars(select(Ticket))}
    assert _index_keys(tickets[0].id) == {new_id}  # first batch done
    assert _index_keys(tickets[2].id) == {old_id}  # failing batch kept
    assert operations.decrypt_ticket(by_id[tickets[2].id]).first_name == "Person2"

    # Repair the row (here: clear the bad field), run again: it continues where it stopped.
    db.session.execute(
        text("UPDATE tickets SET first_name_enc = NULL WHERE id = :id"), {"id": broken.id}
    )
    db.session.commit()
    result = runner.invoke(args=["keys", "rotate", "--no-new-key"])
    assert result.exit_code == 0, result.output
    assert "tickets: 2 rows re-encrypted" in result.output
    db.session.expire_all()
    for ticket in db.session.scalars(select(Ticket)):
        assert ticket.last_name_enc.startswith("v1:_row:")
        assert _index_keys(ticket.id) == {new_id}
        assert operations.decrypt_ticket(ticket).last_name == "Vanderhaeghen"


def test_rotation_moves_tickets_from_before_data_keys_under_their_own_key(
    runner, restore_keys, make_ticket
):
    """A ticket written under the ring (before data keys) gets its own key at rotation."""
    ticket = make_ticket()
    ring = current_key_ring()
    legacy = encrypt(
        "Vanderhaeghen", context=context_for("tickets", ticket.id, "last_name"), key_ring=ring
    )
    db.session.execute(
        text("UPDATE tickets SET last_name_enc = :token WHERE id = :id"),
        {"token": legacy, "id": ticket.id},
    )
    db.session.execute(delete(DataKey))
    db.session.execute(
        text(
            "UPDATE tickets SET first_name_enc = NULL, national_number_enc = NULL, "
            "birth_date_enc = NULL, phone_enc = NULL, email_enc = NULL, address_enc = NULL, "
            "notes_enc = NULL WHERE id = :id"
        ),
        {"id": ticket.id},
    )
    db.session.commit()
    db.session.expire_all()
    assert operations.decrypt_ticket(db.session.get(Ticket, ticket.id)).last_name == "Vanderhaeghen"

    result = runner.invoke(args=["keys", "rotate", "--no-new-key"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    moved = db.session.get(Ticket, ticket.id)
    assert moved.last_name_enc.startswith("v1:_row:")
    assert _wrapped_key(ticket.id).startswith(f"v1:{ring.current_id}:")
    assert operations.decrypt_ticket(moved).last_name == "Vanderhaeghen"


def test_keys_init_writes_a_private_key_file_once(runner, restore_keys):
    restore_keys.unlink()
    result = runner.invoke(args=["keys", "init"])
    assert result.exit_code == 0, result.output
    assert restore_keys.stat().st_mode & 0o077 == 0
    first = restore_keys.read_bytes()
    assert "exists already" in runner.invoke(args=["keys", "init"]).output
    assert restore_keys.read_bytes() == first


def test_script_answers_are_rotated_and_plain_older_forms_encrypted(
    runner, restore_keys, create_user
):
    from pathlib import Path

    from tracing_app.scripts import operations as scripts
    from tracing_app.scripts.models import FormResponse

    seed = Path(__file__).parents[2] / "tracing_app" / "seed" / "scripts" / "inbound_callback.csv"
    agent = create_user(roles=["agent"])
    version = scripts.upload_version(seed.read_bytes(), seed.name, actor=agent)
    scripts.publish(version)
    encrypted = scripts.start_form(version, agent=agent, language="nl")
    scripts.store_answers(encrypted, {"notes": "Jozefien"})
    older = scripts.start_form(version, agent=agent, language="fr")
    db.session.commit()
    # A form saved before answers were encrypted: plain JSON, still readable.
    db.session.execute(
        text("UPDATE form_responses SET answers_json = :plain WHERE id = :id"),
        {"plain": '{"notes": "Mirthe"}', "id": older.id},
    )
    db.session.commit()
    db.session.expire_all()
    assert scripts.answers(db.session.get(FormResponse, older.id)) == {"notes": "Mirthe"}

    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "form_responses: 2 rows re-encrypted" in result.output
    new_id = current_key_ring().current_id
    db.session.expire_all()
    for form_id, expected in ((encrypted.id, "Jozefien"), (older.id, "Mirthe")):
        form = db.session.get(FormResponse, form_id)
        assert form.answers_json.startswith(f"v1:{new_id}:")
        assert scripts.answers(form) == {"notes": expected}
