"""The audit log: hash chain, tampering, append-only triggers, concurrency, CLI, guard."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from content.extensions import db
from tracing_app.audit import operations
from tracing_app.audit.lanes import genesis
from tracing_app.audit.models import AuditEntry

pytestmark = pytest.mark.db


@pytest.fixture
def record_entries(dummy_user):
    """Return a callable that records and commits ``count`` ticket views."""

    def factory(count: int = 3) -> list[AuditEntry]:
        made = [
            operations.record(
                "ticket.view", actor=dummy_user, subject_type="ticket", subject_id=f"T-{n}"
            )
            for n in range(count)
        ]
        db.session.commit()
        return made

    return factory


def _tamper(sql: str, **params) -> None:
    """Run SQL with the maintenance mode on, as an attacker with write access could."""
    with db.engine.begin() as conn, operations.maintenance(conn):
        conn.execute(text(sql), params)


def test_record_links_entries_and_verifies(dummy_user):
    first = operations.record(
        "ticket.search",
        actor=dummy_user,
        subject_type="ticket",
        subject_id="",
        reason="callback",
        details={"criteria": ["national_number"]},
    )
    second = operations.record("ticket.view", actor=None, subject_type="ticket", subject_id=7)
    db.session.commit()

    assert first.previous_hash == genesis(first.lane)  # the lane's first entry
    assert second.previous_hash == first.entry_hash
    assert first.actor_label == f"user {dummy_user.id}"
    assert second.actor_label == "system"
    assert second.subject_id == "7"
    assert first.details == '{"criteria":["national_number"]}'
    result = operations.verify_chain()
    assert result == operations.VerificationResult(True, None, 2, second.entry_hash)


def test_empty_log_verifies(app):
    assert operations.verify_chain() == operations.VerificationResult(True, None, 0, None)


def test_entries_filters_newest_first(record_entries, create_user):
    made = record_entries(3)
    other = create_user()
    operations.record("ticket.change", actor=other, subject_type="ticket", subject_id="T-1")
    db.session.commit()

    assert [e.subject_id for e in operations.entries(limit=2)] == ["T-1", "T-2"]
    assert [e.id for e in operations.entries("ticket", "T-1")][1] == made[1].id
    assert len(operations.entries(actor_id=other.id)) == 1
    assert len(operations.entries(offset=3)) == 1


def test_edited_field_is_detected(record_entries):
    made = record_entries(3)
    _tamper("UPDATE audit_log SET subject_id = 'T-99' WHERE id = :id", id=made[1].id)
    assert operations.verify_chain() == operations.VerificationResult(False, made[1].id, 2)


def test_deleted_middle_row_is_detected(record_entries):
    made = record_entries(3)
    _tamper("DELETE FROM audit_log WHERE id = :id", id=made[1].id)
    assert operations.verify_chain() == operations.VerificationResult(False, made[2].id, 2)


def test_swapped_hashes_are_detected(record_entries):
    first, second, _third = record_entries(3)
    # Through a placeholder: entry_hash is unique at every step.
    swap = [("x", first.id), (first.entry_hash, second.id), (second.entry_hash, first.id)]
    for value, entry_id in swap:
        _tamper("UPDATE audit_log SET entry_hash = :value WHERE id = :id", value=value, id=entry_id)
    assert operations.verify_chain().first_bad_id == first.id


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_log SET reason = 'changed'",
        "UPDATE audit_log SET actor_id = NULL, reason = 'changed'",
        "DELETE FROM audit_log",
    ],
)
def test_updates_and_deletes_are_refused(record_entries, sql):
    record_entries(2)
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
        conn.execute(text(sql))
    assert operations.verify_chain().checked == 2


def test_maintenance_restores_protection(record_entries):
    made = record_entries(2)
    with db.engine.begin() as conn:
        with operations.maintenance(conn):
            conn.execute(
                text("UPDATE audit_log SET reason = 'x' WHERE id = :id"), {"id": made[0].id}
            )
        with pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text("DELETE FROM audit_log"))


def test_deleting_the_actor_keeps_the_chain(record_entries, dummy_user):
    record_entries(2)
    db.session.delete(dummy_user)
    db.session.commit()
    actor_ids = db.session.scalars(select(AuditEntry.actor_id)).all()
    assert actor_ids == [None, None]
    assert operations.verify_chain().ok


def test_concurrent_appends_do_not_fork(app, dummy_user):
    threads_count, per_thread = 8, 50
    user_id = dummy_user.id
    errors: list[BaseException] = []
    start = threading.Barrier(threads_count)

    def append() -> None:
        with app.app_context():
            try:
                actor = db.session.get(type(dummy_user), user_id)
                start.wait()
                for n in range(per_thread):
                    operations.record(
                        "ticket.view", actor=actor, subject_type="ticket", subject_id=n
                    )
                    db.session.commit()
            except BaseException as exc:
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=append) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    previous = db.session.scalars(select(AuditEntry.previous_hash)).all()
    assert len(previous) == threads_count * per_thread
    assert len(set(previous)) == len(previous), "two entries on one predecessor: a fork"
    assert operations.verify_chain() == operations.VerificationResult(
        True, None, threads_count * per_thread, operations.verify_chain().last_hash
    )


def test_cli_verify_intact_and_broken(runner, record_entries):
    made = record_entries(2)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "2 entries checked" in result.output
    assert made[1].entry_hash in result.output

    _tamper("UPDATE audit_log SET action = 'ticket.change' WHERE id = :id", id=made[0].id)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN at entry {made[0].id}" in result.output


@pytest.mark.parametrize(
    ("reason", "details"),
    [
        ("", {"fields": ["a.peeters@example.org"]}),
        ("", {"national_number": "85.07.30-033.28"}),
        ("", {"phone": 32470123456}),
        ("citizen called from +32 470 12 34 56", None),
        ("", {"nested": {"fields": ["phone"]}}),
    ],
)
def test_personal_data_guard(dummy_user, reason, details):
    with pytest.raises((operations.PersonalDataError, TypeError)) as excinfo:
        operations.record(
            "ticket.change",
            actor=dummy_user,
            subject_type="ticket",
            subject_id="T-1",
            reason=reason,
            details=details,
        )
    assert "peeters" not in str(excinfo.value)
    assert "470" not in str(excinfo.value)
    assert db.session.scalars(select(AuditEntry)).all() == []


def test_guard_accepts_field_names_and_small_numbers(dummy_user):
    entry = operations.record(
        "ticket.change",
        actor=dummy_user,
        subject_type="ticket",
        subject_id="T-1",
        reason="callback 2 of 3",
        details={"fields": ["phone", "email"], "version": 4, "escalated": True},
    )
    assert entry.id is not None
