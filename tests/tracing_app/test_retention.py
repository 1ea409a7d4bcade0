"""Retention: the purge erases a closed ticket's personal data for good and keeps its shell.

The canary search of test_tickets_at_rest reads the raw SQLite file (and WAL) or a
pg_dump after the purge; an old SQLite backup copied before the purge cannot open the
purged ticket once the ring key that wrapped its data key is retired.
"""

from __future__ import annotations

import base64
import os
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
from tracing_app.protection.crypto import DecryptionError, context_for, decrypt
from tracing_app.protection.data_keys import DataKey, RowKeyRing
from tracing_app.protection.keyring import EXTENSION
from tracing_app.protection.keys import KeyRing
from tracing_app.protection.rotation import left_under, rotate_all
from tracing_app.retention import holds
from tracing_app.retention.policy import RetentionConfigError
from tracing_app.retention.purge import purge
from tracing_app.retention.report import report
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


def test_an_old_backup_cannot_open_the_purged_ticket_once_its_ring_key_is_retired(
    backend, app, make_ticket, tmp_path
):
    old_master, new_master = os.urandom(32), os.urandom(32)
    old = KeyRing([("old", old_master)])
    app.extensions[EXTENSION] = old
    purged = make_ticket()
    kept = make_ticket(first_name="Mirthe")
    _closed_long_ago(purged)
    key_row_id, wrapped = db.session.execute(
        select(DataKey.id, DataKey.wrapped_key).where(DataKey.owner_id == purged.id)
    ).one()
    token = purged.last_name_enc
    # The backup: a copy of the SQLite file, a pg_dump of the schema.
    backup = _sqlite_bytes() if backend == "sqlite" else _postgres_bytes()
    assert wrapped.encode() in backup
    assert token.encode() in backup
    purge()

    # The rotation: a new key, every live data key re-wrapped, the old key retired.
    rotate_all(KeyRing([("old", old_master), ("new", new_master)]))
    assert not any(left_under("old").values())
    current = KeyRing([("new", new_master)])
    app.extensions[EXTENSION] = current
    db.session.expire_all()
    assert operations.decrypt_ticket(db.session.get(Ticket, kept.id)).first_name == "Mirthe"

    context = context_for("data_keys", key_row_id, "key")
    with pytest.raises(DecryptionError):
        decrypt(wrapped, context=context, key_ring=current)
    # With the retired key the backup would still open: the guarantee needs the retirement.
    data_key = base64.b64decode(decrypt(wrapped, context=context, key_ring=old))
    last_name = context_for("tickets", purged.id, "last_name")
    assert decrypt(token, context=last_name, key_ring=RowKeyRing(data_key, old)) == (
        "Vanderhaeghen"
    )


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


def _attempt_with_note(ticket, make_campaign, queue_order, agent, note):
    from tracing_app.calls.models import CallAttempt
    from tracing_app.calls.notes import encrypt_note

    order = queue_order(make_campaign())
    order.ticket_id = ticket.id
    now = utcnow()
    attempt = CallAttempt(
        order_id=order.id, agent_id=agent.id, outcome="no_answer", started_dt=now, ended_dt=now
    )
    db.session.add(attempt)
    db.session.flush()
    attempt.note_enc = encrypt_note(attempt.id, note)
    db.session.commit()
    return attempt


def test_a_short_call_attempt_period_erases_notes_before_the_ticket(
    app, make_ticket, make_campaign, queue_order, create_user
):
    from tracing_app.calls.models import CallAttempt
    from tracing_app.calls.notes import decrypt_note

    agent = create_user(roles=["agent"])
    old, recent = make_ticket(), make_ticket(first_name="Mirthe")
    old_attempt = _attempt_with_note(old, make_campaign, queue_order, agent, "Belt terug")
    new_attempt = _attempt_with_note(recent, make_campaign, queue_order, agent, "Voicemail")
    _closed_long_ago(old, days=40)
    _closed_long_ago(recent, days=10)
    app.config["RETENTION_DAYS"] = {"call_attempts": 30}
    try:
        assert [r.due for r in report() if r.kind == "call_attempts"] == [1]
        done = purge()
    finally:
        app.config["RETENTION_DAYS"] = {}
    assert done["tickets"] == 0
    assert done["call_attempts"] == 1
    db.session.expire_all()
    assert db.session.get(CallAttempt, old_attempt.id).note_enc is None
    assert db.session.get(CallAttempt, old_attempt.id).outcome == "no_answer"
    kept = db.session.get(CallAttempt, new_attempt.id)
    assert decrypt_note(kept.id, kept.note_enc) == "Voicemail"
    assert operations.decrypt_ticket(old).last_name == "Vanderhaeghen"


def test_the_audit_log_cannot_be_given_a_period(app):
    app.config["RETENTION_DAYS"] = {"audit_log": 365}
    try:
        with pytest.raises(RetentionConfigError):
            report()
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


def test_the_cli_places_and_releases_holds(app, runner, make_ticket):
    ticket = make_ticket()
    result = runner.invoke(
        args=["retention", "hold", ticket.reference, "--reason", "Dossier parket 2026/7"]
    )
    assert result.exit_code == 0, result.output
    assert holds.active_hold(ticket).reason == "Dossier parket 2026/7"
    result = runner.invoke(args=["retention", "hold", ticket.reference, "--reason", "again"])
    assert result.exit_code != 0
    result = runner.invoke(args=["retention", "release", ticket.reference])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert holds.active_hold(ticket) is None
    assert runner.invoke(args=["retention", "release", "TR-0000-0000"]).exit_code != 0


def test_the_job_runner_runs_the_daily_purge(make_ticket):
    from flask import current_app

    from content.jobs import declared_jobs
    from content.jobs.operations import run_job

    ticket = make_ticket()
    _closed_long_ago(ticket)
    ticket_id = ticket.id

    run = run_job(declared_jobs(current_app)["retention.purge"])

    assert run.state == "succeeded"
    assert "tickets: 1" in run.result
    assert db.session.get(Ticket, ticket_id).purged_dt is not None
