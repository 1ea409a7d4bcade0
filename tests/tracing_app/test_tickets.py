"""Tickets: encrypted creation, duplicates and linking, audited reads, access rule, summary."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from content.extensions import db
from tracing_app.audit.models import AuditEntry
from tracing_app.tickets import access, operations, summaries
from tracing_app.tickets.models import TicketBlindIndex
from tracing_app.tickets.reference import is_valid_reference

pytestmark = pytest.mark.db


def _actions(reference):
    return [
        e.action
        for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.subject_id == reference).order_by(AuditEntry.id)
        )
    ]


def test_create_ticket_encrypts_every_field_and_decrypts_back(make_ticket, dummy_user):
    ticket = make_ticket(actor=dummy_user)

    assert is_valid_reference(ticket.reference)
    assert ticket.status == "open"
    assert ticket.language == "nl"
    assert ticket.last_name_enc.startswith("v1:")
    assert "Vanderhaeghen" not in ticket.last_name_enc
    person = operations.person_data(ticket, actor=dummy_user, reason="callback")
    assert person.last_name == "Vanderhaeghen"
    assert person.birth_date == dt.date(1985, 7, 30)
    assert person.notes == "Zwanger, werkt in kinderdagverblijf Zonnebloem"
    assert "Vanderhaeghen" not in repr(person)
    assert _actions(ticket.reference) == ["ticket.create", "ticket.view"]
    view = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert view.reason == "callback"
    assert view.actor_id == dummy_user.id


def test_tokens_are_bound_to_their_row(make_ticket, key_ring):
    from tracing_app.protection.crypto import DecryptionError

    one = make_ticket()
    two = make_ticket(last_name="Peeters", national_number=None, phone=None, email=None)
    two.last_name_enc = one.last_name_enc  # copied to another row: refused
    with pytest.raises(DecryptionError):
        operations.decrypt_ticket(two, key_ring)


def test_blind_indexes_written_for_searchable_values(make_ticket):
    ticket = make_ticket()
    kinds = set(
        db.session.scalars(
            select(TicketBlindIndex.kind).where(TicketBlindIndex.ticket_id == ticket.id)
        )
    )
    exact = {"national_number", "phone", "email", "name_birth_date"}
    # The tolerant ones (issue #19); the sample address has a postcode.
    tolerant = {
        "name_sound_birth",
        "name_initial_birth",
        "name_sound_postcode",
        "name_prefix_postcode",
        "phone_national",
        "phone_tail_name",
    }
    assert kinds == exact | tolerant
    assert operations.tickets_by_index("phone", "+32 470 12 34 56") == [ticket]
    assert operations.tickets_by_index("national_number", "85073003328") == [ticket]
    assert operations.tickets_by_index("name_birth_date", ("VANDERHAEGHEN", "1985-07-30")) == [
        ticket
    ]
    assert operations.tickets_by_index("phone", "0470 12 34 57") == []


def test_duplicates_by_national_number_or_phone_and_birth_date(make_ticket, person_data):
    ticket = make_ticket()
    assert operations.find_duplicates(person_data(phone=None)) == [ticket]
    by_phone = person_data(national_number=None, email=None)
    assert operations.find_duplicates(by_phone) == [ticket]
    other_birthday = person_data(national_number=None, birth_date=dt.date(1990, 1, 1))
    assert operations.find_duplicates(other_birthday) == []
    # Same phone and birth date but another national number: another person.
    twin = person_data(national_number="85.07.30-035.26", first_name="Hanne")
    assert operations.find_duplicates(twin) == []


def test_create_or_link_links_the_same_person_and_shows_likely_twins(
    make_ticket, person_data, dummy_user
):
    ticket = make_ticket()
    linked, created, others = operations.create_or_link_ticket(
        person_data(email=None), actor=dummy_user, source="import"
    )
    assert (linked, created, others) == (ticket, False, [])

    twin = person_data(national_number=None, first_name="Hanne")
    new, created, others = operations.create_or_link_ticket(twin, actor=dummy_user, source="import")
    db.session.commit()
    assert created
    assert new.id != ticket.id
    assert others == [ticket]
    assert _actions(ticket.reference) == ["ticket.create", "ticket.link"]


def test_audit_details_hold_no_personal_values(make_ticket, dummy_user):
    ticket = make_ticket(actor=dummy_user)
    operations.person_data(ticket, actor=dummy_user, reason="check")
    db.session.commit()
    for entry in db.session.scalars(select(AuditEntry)):
        text = json.dumps([entry.reason, entry.details, entry.subject_id])
        for value in ("Griet", "Vanderhaeghen", "85073003328", "0470", "example.org", "Kouter"):
            assert value not in text


def test_access_rule(make_ticket, create_user):
    agent = create_user(roles=["agent"])
    other_agent = create_user(roles=["agent"])
    supervisor = create_user(roles=["supervisor"])
    specialist = create_user(roles=["specialist"])
    ticket = make_ticket()
    assigned = make_ticket(assigned_to=agent, national_number=None, phone=None, email=None)

    assert not access.may_open(agent, ticket)
    assert access.may_open(agent, assigned)
    assert not access.may_open(other_agent, assigned)
    assert access.may_open(supervisor, ticket)
    assert not access.may_open(specialist, ticket)

    access.grant_access(agent, ticket, reason="lookup")
    db.session.commit()
    assert access.may_open(agent, ticket)
    assert not access.may_open(other_agent, ticket)

    expired = access.grant_access(other_agent, ticket, reason="lookup")
    expired.expires_dt = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    db.session.commit()
    assert not access.may_open(other_agent, ticket)


def test_summary_shows_the_minimum(make_ticket):
    summary = summaries.ticket_summary(make_ticket())
    assert summary["first_name"] == "Griet V."
    assert summary["status"] == "open"
    assert summary["language"] == "nl"
    assert summary["attempts"] == []
    assert "Vanderhaeghen" not in json.dumps(summary, default=str)


def test_update_checks_the_version(make_ticket, person_data, dummy_user):
    ticket = make_ticket()
    read_version = ticket.version
    changed = operations.update_ticket(
        ticket, person_data(phone="0470 99 99 99"), actor=dummy_user, expected_version=read_version
    )
    db.session.commit()
    assert changed == ["phone"]
    assert ticket.version == read_version + 1
    assert operations.tickets_by_index("phone", "0470999999") == [ticket]
    assert operations.tickets_by_index("phone", "0470123456") == []
    with pytest.raises(operations.TicketConflict):
        operations.update_ticket(
            ticket, person_data(address="Elders 1"), actor=dummy_user, expected_version=read_version
        )


def test_browser_line_breaks_are_not_a_change(make_ticket, person_data, dummy_user):
    ticket = make_ticket(address="Kouter 17\n9000 Gent", notes="een\ntwee")
    changed = operations.update_ticket(
        ticket,
        person_data(address="Kouter 17\r\n9000 Gent", notes="een\r\ntwee", phone="0470 99 99 99"),
        actor=dummy_user,
        expected_version=ticket.version,
    )
    assert changed == ["phone"]


def test_a_save_racing_past_the_check_is_refused_by_the_database(
    make_ticket, person_data, dummy_user
):
    from sqlalchemy import text

    ticket = make_ticket()
    read_version = ticket.version
    db.session.commit()
    assert ticket.version == read_version  # this session has read the row
    # Another session saves now: this session's version check passes on what it read,
    # then its UPDATE … WHERE version = read finds no row.
    with db.engine.begin() as other:
        other.execute(
            text("UPDATE tickets SET version = version + 1 WHERE id = :id"), {"id": ticket.id}
        )
    with pytest.raises(operations.TicketConflict) as conflict:
        operations.update_ticket(
            ticket,
            person_data(phone="0470 99 99 99"),
            actor=dummy_user,
            expected_version=read_version,
        )
    assert conflict.value.ticket.version == read_version + 1
    db.session.expire_all()
    assert operations.decrypt_ticket(conflict.value.ticket).phone == "0470 12 34 56"
