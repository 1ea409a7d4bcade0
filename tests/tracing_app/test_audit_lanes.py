"""Concurrent audited writes: lanes keep every chain linked without a site-wide lock.

On PostgreSQL a writer holding its transaction open no longer holds up the others; a
checkpoint waits for the appends in flight, so it stays true. SQLite has one writer at a
time by design: there the lanes collapse to one and the same guarantees hold.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select, text

from content.extensions import db
from tracing_app.audit import checkpoints, operations
from tracing_app.audit.models import AuditEntry

pytestmark = pytest.mark.db


def _postgres_only(backend):
    if backend != "postgresql":
        pytest.skip("SQLite has one writer at a time: appends wait on its write lock")


class HeldAppend(threading.Thread):
    """Record one entry in a transaction of its own and keep it open until released."""

    def __init__(self, app, user_id: int) -> None:
        super().__init__(daemon=True)
        self.app, self.user_id = app, user_id
        self.recorded, self.release = threading.Event(), threading.Event()
        self.entry_id: int | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        with self.app.app_context():
            try:
                operations.record(
                    "ticket.view", actor=None, subject_type="ticket", subject_id="held"
                )
                self.entry_id = db.session.scalar(select(func.max(AuditEntry.id)))
                self.recorded.set()
                self.release.wait(30)
                db.session.commit()
            except BaseException as exc:  # reported by the test
                self.error = exc
                self.recorded.set()
            finally:
                db.session.remove()


def _append_in_thread(app, results: list, subject: str) -> threading.Thread:
    def run() -> None:
        with app.app_context():
            try:
                entry = operations.record(
                    "ticket.view", actor=None, subject_type="ticket", subject_id=subject
                )
                db.session.commit()
                results.append(entry.id)
            except BaseException as exc:
                results.append(exc)
            finally:
                db.session.remove()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_a_writer_holding_its_transaction_does_not_hold_up_another(app, backend):
    _postgres_only(backend)
    held = HeldAppend(app, 0)
    held.start()
    assert held.recorded.wait(10)
    assert held.error is None
    try:
        results: list = []
        other = _append_in_thread(app, results, "other")
        other.join(5)
        assert not other.is_alive(), "the second writer waited for the first to commit"
        assert len(results) == 1, results
        assert isinstance(results[0], int), results
    finally:
        held.release.set()
        held.join(10)
    assert held.error is None
    lanes = db.session.scalars(select(AuditEntry.lane).order_by(AuditEntry.id)).all()
    # Two lanes: the second writer took another one (which ones depends on the advisory
    # locks other sessions of the same database hold, e.g. a parallel test run).
    assert len(lanes) == 2
    assert lanes[0] != lanes[1]
    assert operations.verify_chain() == operations.VerificationResult(
        True,
        None,
        2,
        db.session.scalar(select(AuditEntry.entry_hash).where(AuditEntry.lane == lanes[1])),
    )


def test_a_checkpoint_waits_for_appends_in_flight_and_stays_true(app, backend):
    _postgres_only(backend)
    held = HeldAppend(app, 0)
    held.start()
    assert held.recorded.wait(10)
    assert held.error is None
    results: list = []
    _append_in_thread(app, results, "later").join(5)  # a higher id, committed first
    written: list = []

    def checkpoint() -> None:
        with app.app_context():
            written.append(checkpoints.write_checkpoint())

    writer = threading.Thread(target=checkpoint, daemon=True)
    writer.start()
    writer.join(1)
    assert writer.is_alive(), "the checkpoint did not wait for the append in flight"
    held.release.set()
    held.join(10)
    writer.join(10)
    assert written
    assert written[0].entries == 2
    # More appends later; the checkpoint still agrees with the log.
    operations.record("ticket.view", actor=None, subject_type="ticket", subject_id="last")
    db.session.commit()
    result = operations.verify_chain()
    assert result.ok, result
    assert result.checked == 3


def test_deleting_the_newest_entry_of_a_lane_is_detected(app, backend):
    _postgres_only(backend)
    held = HeldAppend(app, 0)
    held.start()
    assert held.recorded.wait(10)
    assert held.error is None
    results: list = []
    _append_in_thread(app, results, "lane one").join(5)
    held.release.set()
    held.join(10)
    operations.record("ticket.view", actor=None, subject_type="ticket", subject_id="tail")
    db.session.commit()
    checkpoints.write_checkpoint()
    with db.engine.begin() as conn, operations.maintenance(conn):
        conn.execute(text("DELETE FROM audit_log WHERE lane = 1"))

    result = operations.verify_chain()
    assert not result.ok
    assert result.problem in (operations.TRUNCATED, operations.DIVERGED)


@pytest.mark.parametrize("per_transaction", [1, 2])
def test_concurrent_writers_keep_every_lane_linked(app, dummy_user, per_transaction):
    threads_count, transactions = 8, 15
    user_id = dummy_user.id
    errors: list[BaseException] = []
    start = threading.Barrier(threads_count)

    def append(writer: int) -> None:
        with app.app_context():
            try:
                actor = db.session.get(type(dummy_user), user_id)
                start.wait()
                for n in range(transactions):
                    for part in range(per_transaction):
                        operations.record(
                            "ticket.view",
                            actor=actor,
                            subject_type="ticket",
                            subject_id=f"{writer}.{n}-{part}",
                        )
                    db.session.commit()
            except BaseException as exc:
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=append, args=(t,)) for t in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    expected = threads_count * transactions * per_transaction
    checkpoint = checkpoints.write_checkpoint()
    assert checkpoint.entries == expected
    previous = db.session.scalars(select(AuditEntry.previous_hash)).all()
    assert len(previous) == expected
    assert len(set(previous)) == expected, "two entries on one predecessor: a fork"
    result = operations.verify_chain()
    assert (result.ok, result.checked) == (True, expected), result
    # The entries of one transaction are in one lane.
    lanes = db.session.execute(select(AuditEntry.subject_id, AuditEntry.lane)).all()
    by_transaction: dict[str, set[int]] = {}
    for subject, lane in lanes:
        by_transaction.setdefault(subject.split("-")[0], set()).add(lane)
    assert all(len(found) == 1 for found in by_transaction.values())


def _append(subject: str) -> AuditEntry:
    entry = operations.record("ticket.view", actor=None, subject_type="ticket", subject_id=subject)
    db.session.commit()
    return entry


def test_an_append_after_the_head_this_process_committed_skips_reading_it(app, count_queries):
    first = _append("first")
    with count_queries() as known:
        second = _append("second")
    assert second.previous_hash == first.entry_hash
    # Forget the head, as a process that never appended to the lane: it is read.
    operations._known_heads.clear()
    with count_queries() as unknown:
        _append("third")
    assert known.count == unknown.count - 1, known.report()
    assert operations.verify_chain().ok


@pytest.mark.parametrize("stale", ["older", "unknown"])
def test_an_append_after_a_stale_known_head_links_to_the_real_head(app, stale):
    """Another process appended since (or the hash is gone): the head is read, no fork."""
    older = _append("older")
    newest = _append("newest")
    hint = older.entry_hash if stale == "older" else "f" * 64
    for key in list(operations._known_heads):
        operations._known_heads[key] = hint
    entry = _append("after")
    assert entry.previous_hash == newest.entry_hash
    assert operations.verify_chain().ok
    db.session.expire_all()
    assert db.session.get(AuditEntry, entry.id).entry_hash == entry.entry_hash


def test_a_rolled_back_append_is_not_the_known_head(app):
    kept = _append("kept")
    operations.record("ticket.view", actor=None, subject_type="ticket", subject_id="undone")
    db.session.rollback()
    entry = _append("after")
    assert entry.previous_hash == kept.entry_hash
    assert operations.verify_chain().ok
