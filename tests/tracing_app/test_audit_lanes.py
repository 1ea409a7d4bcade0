"""Concurrent audited writes: lanes keep every chain linked without a site-wide lock.

On PostgreSQL a writer holding its transaction open no longer holds up the others; a
checkpoint waits for the appends in flight, so it stays true. SQLite has one writer at a
time by design: there the lanes collapse to one and the same guarantees hold.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import func, insert, select, text, update

from content.auth.models import utcnow
from content.extensions import db
from tracing_app.audit import append as audit_append
from tracing_app.audit import checkpoints, lanes, operations
from tracing_app.audit.models import AuditEntry
from tracing_app.protection.audit_key import current_audit_key

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
    lane = db.session.get(AuditEntry, results[0]).lane  # not the held writer's lane
    with db.engine.begin() as conn, operations.maintenance(conn):
        conn.execute(text("DELETE FROM audit_log WHERE lane = :lane"), {"lane": lane})

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


def test_an_append_after_the_head_this_thread_committed_is_one_statement(
    app, backend, count_queries, monkeypatch
):
    monkeypatch.setitem(app.config, "AUDIT_CHECKPOINT_MINUTES", 0)  # counted: appends alone
    first = _append("first")
    with count_queries() as known:
        second = _append("second")
    assert second.previous_hash == first.entry_hash
    # PostgreSQL: the lane is taken in the insert itself; SQLite: its write lock first.
    assert known.count == (1 if backend == "postgresql" else 2), known.report()
    # A second entry of the same transaction: the lane is held, one statement everywhere.
    operations.record("ticket.view", actor=None, subject_type="ticket", subject_id="third")
    with count_queries() as same_transaction:
        operations.record("ticket.view", actor=None, subject_type="ticket", subject_id="fourth")
    db.session.commit()
    assert same_transaction.count == 1, same_transaction.report()
    # Forget the head, as a process that never appended to the lane: take it, read it.
    audit_append._known_heads.clear()
    with count_queries() as unknown:
        _append("fifth")
    assert unknown.count == 3, unknown.report()
    assert operations.verify_chain() == operations.VerificationResult(
        True,
        None,
        5,
        db.session.scalar(select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc())),
    )


def _other_connection_appends(lane: int, subject: str) -> str:
    """Append to ``lane`` on a connection of its own, as another process does; return the hash."""
    with db.engine.begin() as conn:
        taken = lanes.take_lane(conn, prefer=lane)
        head = conn.execute(audit_append.head_of(taken)).scalar_one_or_none()
        row = _entry_row(taken, head or lanes.genesis(taken), subject)
        conn.execute(insert(AuditEntry.__table__).values(**row))
    assert taken == lane, "the lane was busy (another test run on this database?)"
    return row["entry_hash"]


def _entry_row(lane: int, previous_hash: str, subject: str, details: str = "{}") -> dict:
    row = {
        "lane": lane,
        "created_dt": utcnow(),
        "actor_label": "system",
        "action": "ticket.view",
        "subject_type": "ticket",
        "subject_id": subject,
        "reason": "",
        "details": details,
        "previous_hash": previous_hash,
    }
    return {
        **row,
        "entry_hash": operations.compute_hash(SimpleNamespace(**row), current_audit_key()),
    }


def test_a_known_head_made_stale_by_another_connection_is_read_again(
    app, count_queries, monkeypatch
):
    # Counted: the append alone. A checkpoint that an earlier commit found busy would be
    # tried again at this one's commit (three statements more), whenever it happens.
    monkeypatch.setitem(app.config, "AUDIT_CHECKPOINT_MINUTES", 0)
    mine = _append("mine")
    others = _other_connection_appends(mine.lane, "other process")
    with count_queries() as stale:
        entry = _append("after")
    assert entry.lane == mine.lane
    assert entry.previous_hash == others
    assert stale.count <= 4, stale.report()  # the insert refused, the lane, its head, insert
    assert operations.verify_chain().ok


class _ConcurrentCommit(threading.Thread):
    """On a connection of its own: write ``sql`` uncommitted, then commit once released."""

    def __init__(self, app, sql, params, *, maintenance: bool = False) -> None:
        super().__init__(daemon=True)
        self.app, self.sql, self.params, self.maintenance = app, sql, params, maintenance
        self.written, self.release = threading.Event(), threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        with self.app.app_context():
            try:
                with db.engine.begin() as conn:
                    if self.maintenance:
                        conn.execute(text("SET LOCAL tracing.audit_maintenance = 'on'"))
                    conn.execute(self.sql, self.params)
                    self.written.set()
                    self.release.wait(30)
            except BaseException as exc:  # reported by the test
                self.error = exc
                self.written.set()


def _append_racing(app, writer: _ConcurrentCommit) -> AuditEntry:
    """Append while ``writer``'s change is in flight; let it commit once the append waits."""
    writer.start()
    assert writer.written.wait(10)
    assert writer.error is None, writer.error
    pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()

    def commit_once_waiting() -> None:
        with app.app_context():
            query = text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid")
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                if db.session.execute(query, {"pid": pid}).scalar() == "Lock":
                    break
                time.sleep(0.02)
            db.session.remove()
        writer.release.set()

    releaser = threading.Thread(target=commit_once_waiting, daemon=True)
    releaser.start()
    try:
        entry = operations.record(
            "ticket.view", actor=None, subject_type="ticket", subject_id="racing"
        )
        db.session.commit()
    finally:
        writer.release.set()
        releaser.join(10)
        writer.join(10)
    assert writer.error is None, writer.error
    return entry


def test_an_entry_committed_after_the_statement_began_is_not_forked(app, backend):
    """READ COMMITTED: the insert's snapshot predates its lane lock; the unique link decides."""
    _postgres_only(backend)
    head = _append("head")
    # Another writer's entry on the same head, committed while the append is under way.
    row = _entry_row(head.lane, head.entry_hash, "committed meanwhile")
    entry = _append_racing(app, _ConcurrentCommit(app, insert(AuditEntry.__table__), row))
    assert entry.previous_hash == row["entry_hash"]
    previous = db.session.scalars(select(AuditEntry.previous_hash)).all()
    assert len(previous) == len(set(previous)) == 3
    assert operations.verify_chain().ok


def test_a_head_rewritten_after_the_statement_began_is_read_again(app, backend):
    """A rewrite (rekey, maintenance) committed after the insert's snapshot: the head is re-read."""
    _postgres_only(backend)
    _append("first")
    head = _append("head")
    rewritten = _entry_row(head.lane, head.previous_hash, "head", details='{"rewritten":true}')
    rewritten["created_dt"] = head.created_dt
    rewritten["entry_hash"] = operations.compute_hash(
        SimpleNamespace(**rewritten), current_audit_key()
    )
    rewrite = (
        update(AuditEntry.__table__)
        .where(AuditEntry.id == head.id)
        .values(details=rewritten["details"], entry_hash=rewritten["entry_hash"])
    )
    entry = _append_racing(app, _ConcurrentCommit(app, rewrite, {}, maintenance=True))
    assert entry.previous_hash == rewritten["entry_hash"]
    result = operations.verify_chain()
    assert (result.ok, result.checked) == (True, 3), result


@pytest.mark.parametrize("stale", ["older", "unknown"])
def test_an_append_after_a_stale_known_head_links_to_the_real_head(app, stale):
    """Another process appended since (or the hash is gone): the head is read, no fork."""
    older = _append("older")
    newest = _append("newest")
    hint = older.entry_hash if stale == "older" else "f" * 64
    for key in list(audit_append._known_heads):
        audit_append._known_heads[key] = hint
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


#: A writer process: the test's site, ``count`` appends once told to start, then what each
#: append cost (statements inside ``record``) as JSON.
_WRITER = """
import json, sys
from sqlalchemy import event
from content.extensions import db
from tests.fixtures.settings import TEST_CONFIG
from tracing_app import create_app
from tracing_app.audit import operations

config, count = json.loads(sys.argv[1]), int(sys.argv[2])
app = create_app({**TEST_CONFIG, **config})
with app.app_context():
    db.session.execute(db.text("SELECT 1"))
    db.session.rollback()
    print("ready", flush=True)
    sys.stdin.readline()
    costs, statements = [], []
    event.listen(db.engine, "before_cursor_execute", lambda *_args: statements.append(1))
    for n in range(count):
        statements.clear()
        operations.record("ticket.view", actor=None, subject_type="ticket", subject_id=f"{n}")
        costs.append(len(statements))
        db.session.commit()
print(json.dumps(costs), flush=True)
"""


def test_two_processes_appending_at_once_keep_to_their_lanes_and_never_fork(app, backend):
    count = 60
    config = {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "SQLALCHEMY_ENGINE_OPTIONS": app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
        "INSTANCE_PATH": app.instance_path,
        "AUDIT_CHECKPOINT_MINUTES": 0,
    }
    root = Path(__file__).parents[2]
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, json.dumps(config), str(count)],
            cwd=root,
            env={**os.environ, "PYTHONPATH": str(root)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        for writer in writers:
            assert writer.stdout.readline().strip() == "ready"
        for writer in writers:  # both start at once
            writer.stdin.write("go\n")
            writer.stdin.flush()
        costs = [json.loads(writer.communicate(timeout=120)[0]) for writer in writers]
    finally:
        for writer in writers:
            if writer.poll() is None:
                writer.kill()
    assert [writer.returncode for writer in writers] == [0, 0]

    previous = db.session.scalars(select(AuditEntry.previous_hash)).all()
    assert len(previous) == len(set(previous)) == 2 * count, "two entries on one predecessor"
    result = operations.verify_chain()
    assert (result.ok, result.checked) == (True, 2 * count), result
    if backend == "postgresql":
        # Each process keeps to its own lane, so the head it committed there is still the
        # head at its next append: one statement (with one shared lane 0, the other
        # process's appends made it stale: never fewer than 2, often 4).
        for process_costs in costs:
            assert sum(cost == 1 for cost in process_costs) >= count * 2 // 3, process_costs
