"""Retention: the purge erases a closed ticket's personal data for good and keeps its shell.

The canary search of test_tickets_at_rest reads the raw SQLite file (and WAL) or a
pg_dump after the purge; an old SQLite backup copied before the purge cannot open the
purged ticket once the ring key that wrapped its data key is retired.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from content.auth.models import utcnow
from content.extensions import db
from tests.tracing_app.test_tickets_at_rest import (
    ANSWER,
    NOTE,
    SEARCHED,
    _postgres_bytes,
    _script_form,
    _sqlite_bytes,
    _vacuum_sqlite,
)
from tracing_app.audit.models import AuditEntry
from tracing_app.audit.operations import verify_chain
from tracing_app.exchange import export
from tracing_app.protection.crypto import DecryptionError, context_for, decrypt
from tracing_app.protection.data_keys import DataKey
from tracing_app.protection.keyring import EXTENSION
from tracing_app.protection.keys import KeyRing
from tracing_app.protection.rotation import left_under, rotate_all
from tracing_app.retention import holds
from tracing_app.retention.purge import purge, report
from tracing_app.tickets import escalations, operations
from tracing_app.tickets.models import CLOSED, Ticket, TicketBlindIndex

pytestmark = pytest.mark.db


def _closed_long_ago(ticket: Ticket, days: int = 600) -> None:
    operations.set_status(ticket, CLOSED, actor=None)
    ticket.closed_dt = utcnow() - timedelta(days=days)
    db.session.commit()


def _seed(make_ticket, create_user) -> Ticket:
    agent = create_user(roles=["agent"])
    specialist = create_user(roles=["specialist"])
    ticket = make_ticket(actor=agent)
    operations.person_data(ticket, actor=agent, reason="lookup")
    escalation = escalations.escalate(ticket, NOTE, actor=agent)
    _script_form(agent, ticket)
    db.session.commit()
    escalations.answer(escalation, ANSWER, specialist=specialist)
    db.session.commit()
    return ticket


def test_purge_leaves_no_personal_value_and_keeps_the_shell(backend, make_ticket, create_user):
    if backend == "sqlite":
        _vacuum_sqlite()
    ticket = _seed(make_ticket, create_user)
    _closed_long_ago(ticket)
    reference, ticket_id = ticket.reference, ticket.id
    tokens = [ticket.last_name_enc, ticket.national_number_enc, ticket.notes_enc]
    tokens.append(db.session.scalar(select(DataKey.wrapped_key)))
    before = _sqlite_bytes() if backend == "sqlite" else _postgres_bytes()
    assert all(token.encode() in before for token in tokens)  # the search would find them
    closed_before = db.session.scalar(
        select(func.count()).select_from(Ticket).where(Ticket.status == CLOSED)
    )

    assert purge()["tickets"] == 1
    if backend == "sqlite":
        _vacuum_sqlite()  # what SQLite frees stays in free pages until then (docs/retention.md)
    dump = _sqlite_bytes() if backend == "sqlite" else _postgres_bytes()
    assert reference.encode() in dump  # the shell is there, found by the same search
    found = [value for value in SEARCHED if value.lower().encode() in dump.lower()]
    assert found == []
    # Not even the ciphertexts and the wrapped data key are left (SQLite: not in free pages).
    assert [token for token in tokens if token.encode() in dump] == []

    shell = db.session.get(Ticket, ticket_id)
    assert shell.purged_dt is not None
    assert shell.status == CLOSED
    assert operations.decrypt_ticket(shell).last_name is None
    assert db.session.scalar(select(func.count()).select_from(DataKey)) == 0
    assert db.session.scalar(select(func.count()).select_from(TicketBlindIndex)) == 0
    # Statistics still count it.
    assert (
        db.session.scalar(select(func.count()).select_from(Ticket).where(Ticket.status == CLOSED))
        == closed_before
    )
    assert verify_chain().ok
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "retention.purge")
    ).one()
    assert reference not in entry.details
    assert entry.subject_id == "tickets"


def test_the_exchange_feed_sends_a_tombstone(app, make_ticket):
    ticket = make_ticket()
    page = export.read_page("tickets", None, 100)
    _closed_long_ago(ticket)
    purge()
    records = export.read_page("tickets", page.next_cursor, 100).records
    assert records[-1]["kind"] == "tombstone"
    assert records[-1]["reference"] == ticket.reference
    assert "national_number_pseudonym" not in records[-1]


def test_an_old_backup_cannot_open_the_purged_ticket_once_its_ring_key_is_retired(
    backend, app, make_ticket, tmp_path
):
    if backend != "sqlite":
        pytest.skip("the backup is a copy of the SQLite file")
    old_master, new_master = os.urandom(32), os.urandom(32)
    old = KeyRing([("old", old_master)])
    app.extensions[EXTENSION] = old
    purged = make_ticket()
    kept = make_ticket(first_name="Mirthe")
    _closed_long_ago(purged)
    db.session.execute(db.text("PRAGMA wal_checkpoint(FULL)"))
    backup = tmp_path / "before-purge.sqlite"
    shutil.copy(db.engine.url.database, backup)
    purge()

    # The yearly rotation: a new key, every live token and data key moved, the old retired.
    rotate_all(KeyRing([("old", old_master), ("new", new_master)]))
    assert not any(left_under("old").values())
    current = KeyRing([("new", new_master)])
    app.extensions[EXTENSION] = current
    assert operations.decrypt_ticket(db.session.get(Ticket, kept.id)).first_name == "Mirthe"

    with sqlite3.connect(backup) as copy:
        key_row_id, wrapped = copy.execute(
            "SELECT id, wrapped_key FROM data_keys WHERE owner_id = ?", (purged.id,)
        ).fetchone()
        token = copy.execute(
            "SELECT last_name_enc FROM tickets WHERE id = ?", (purged.id,)
        ).fetchone()[0]
    assert token.startswith("v1:_row:")
    with pytest.raises(DecryptionError):
        decrypt(wrapped, context=context_for("data_keys", key_row_id, "key"), key_ring=current)
    # With the retired key the backup would still open: the guarantee needs the retirement.
    assert decrypt(wrapped, context=context_for("data_keys", key_row_id, "key"), key_ring=old)


def test_legal_hold_stops_the_purge_until_released(app, make_ticket, create_user):
    supervisor = create_user(roles=["supervisor"])
    ticket = make_ticket()
    _closed_long_ago(ticket)
    holds.place_hold(ticket, "Dossier parket 2026/118", actor=supervisor)
    db.session.commit()
    assert purge()["tickets"] == 0
    assert operations.decrypt_ticket(ticket).last_name == "Vanderhaeghen"
    assert [r.due for r in report() if r.kind == "tickets"] == [0]
    with pytest.raises(holds.HoldError):
        holds.place_hold(ticket, "again", actor=supervisor)

    holds.release_hold(ticket, actor=supervisor)
    db.session.commit()
    assert [r.due for r in report() if r.kind == "tickets"] == [1]
    assert purge()["tickets"] == 1
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.subject_id == ticket.reference)
    ).all()
    assert {"ticket.legal_hold", "ticket.legal_hold_release"} <= set(actions)


def test_report_says_when_the_next_purge_is_due(app, make_ticket):
    recent = make_ticket()
    _closed_long_ago(recent, days=40)
    (tickets,) = [r for r in report() if r.kind == "tickets"]
    assert tickets.due == 0
    assert tickets.days == 540
    assert tickets.next_due_dt.date() == (recent.closed_dt + timedelta(days=540)).date()
    make_ticket()  # open: never due
    assert purge()["tickets"] == 0


def test_a_short_call_attempt_period_erases_notes_before_the_ticket(app, make_ticket):
    app.config["RETENTION_DAYS"] = {"call_attempts": 30}
    try:
        ticket = make_ticket()
        _closed_long_ago(ticket, days=40)
        done = purge()
        assert done["tickets"] == 0
        assert operations.decrypt_ticket(ticket).last_name == "Vanderhaeghen"
    finally:
        app.config["RETENTION_DAYS"] = {}


def test_the_cli_reports_and_purges(app, runner, make_ticket):
    ticket = make_ticket()
    _closed_long_ago(ticket)
    result = runner.invoke(args=["retention", "report"])
    assert result.exit_code == 0, result.output
    assert "tickets" in result.output
    assert "1" in result.output
    result = runner.invoke(args=["retention", "purge", "--batch-size", "1"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).purged_dt is not None
