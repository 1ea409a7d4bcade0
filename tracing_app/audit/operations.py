"""Append to the audit log, verify its keyed hash chain against the checkpoints, and read it.

Each entry's hash is an HMAC under the audit key (kept outside the database, see
:mod:`tracing_app.protection.audit_key`), so whoever rewrites rows cannot recompute the
chain; checkpoints outside the database (:mod:`.checkpoints`) reveal deleted newest
entries. The log is a few interleaved chains, the lanes (:mod:`.lanes`): an append takes
a lane no other transaction holds (PostgreSQL: an advisory lock per lane, taken in the
insert itself when the writer knows the lane's head) and keeps it until the caller's
transaction ends, so concurrent writers do not wait on each other and no lane ever forks;
on SQLite, which has one writer at a time, the database's write lock is taken before the
last hash is read (the insert itself: :mod:`.append`). Nothing here logs entry contents.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Row, select, text

from content.auth.models import User, utcnow
from content.extensions import db
from tracing_app.audit import checkpoints
from tracing_app.audit.append import append, compute_hash
from tracing_app.audit.checkpoints import Checkpoint, CheckpointError
from tracing_app.audit.lanes import genesis, take_all_lanes
from tracing_app.audit.models import AuditEntry
from tracing_app.protection.audit_key import current_audit_key

#: Kinds of problem beyond a broken link (``VerificationResult.problem``).
UNKEYED = "unkeyed"
TRUNCATED = "truncated"
DIVERGED = "diverged"
BAD_CHECKPOINT = "checkpoint"

#: Eight or more digits, possibly split by spaces, dots, dashes, slashes or brackets: the
#: shape of national register numbers, phone numbers and bank accounts.
_LONG_NUMBER = re.compile(r"\d(?:[\s./()+-]*\d){7,}")


class PersonalDataError(ValueError):
    """A reason or details value looks like it holds personal data."""


@dataclass(frozen=True)
class VerificationResult:
    """Outcome of ``verify_chain``: ``first_bad_id`` is None when the chain is intact.

    ``problem`` is None for a broken link or hash at ``first_bad_id``; else
    :data:`UNKEYED` (the log starts with entries from before the audit key),
    :data:`TRUNCATED` (entries after ``last_id`` are missing: ``checkpoint`` counted more),
    :data:`DIVERGED` (the log differs from ``checkpoint`` from ``first_bad_id`` on) or
    :data:`BAD_CHECKPOINT` (``error`` names the line of the checkpoint file).
    """

    ok: bool
    first_bad_id: int | None
    checked: int
    last_hash: str | None = None
    problem: str | None = None
    checkpoint: Checkpoint | None = None
    last_id: int | None = None
    error: CheckpointError | None = None


def record(
    action: str,
    *,
    actor: User | None,
    subject_type: str,
    subject_id: str | int,
    reason: str = "",
    details: dict | None = None,
) -> AuditEntry:
    """Append an entry in the caller's transaction (flushed, not committed).

    :param actor: the user who acted, or None for the system itself.
    :param reason: the agent's stated reason (searches); no personal data values.
    :param details: non-personal metadata, e.g. ``{"fields": ["phone", "address"]}``.
    :raise PersonalDataError: when ``reason`` or ``details`` look like personal data.
    """
    _check_no_personal_data("reason", reason)
    details_json = _canonical_details(details or {})
    session = db.session
    entry = AuditEntry(
        created_dt=utcnow(),
        actor_id=actor.id if actor is not None else None,
        actor_label=f"user {actor.id}" if actor is not None else "system",
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        reason=reason,
        details=details_json,
    )
    append(session(), entry)
    checkpoints.note_append(session)
    return entry


def verify_chain(batch_size: int = 1000) -> VerificationResult:
    """Check every entry's link and keyed hash in id order, then the log against the checkpoints.

    Reports the first entry whose hash or link is wrong; else an entry count or head that
    a checkpoint contradicts (newest entries deleted, or replaced).
    """
    key = current_audit_key()
    try:
        anchors = checkpoints.read_checkpoints()
    except CheckpointError as exc:
        return VerificationResult(False, None, 0, problem=BAD_CHECKPOINT, error=exc)

    def keyed(row: Row, _checked: int) -> bool:
        return row.entry_hash == compute_hash(row, key)

    result = walk_chain(keyed, anchors, batch_size=batch_size)
    if result.first_bad_id is not None and result.problem is None and result.checked == 1:
        row = db.session.execute(
            select(AuditEntry.__table__).where(AuditEntry.id == result.first_bad_id)
        ).one()
        if row.entry_hash == compute_hash(row, None):  # written before the audit key existed
            return VerificationResult(False, row.id, 1, problem=UNKEYED)
    return result


def walk_chain(
    accept, anchors: list[Checkpoint], *, batch_size: int = 1000, connection=None
) -> VerificationResult:
    """Walk the log in id order: links, ``accept(row, position)`` for hashes, then checkpoints.

    Each entry must link to the one before it in its lane (``lanes.py``); checkpoints
    count entries of every lane in id order.

    :param anchors: checkpoints of this chain; each must meet the entry at its count.
    :param connection: read there (a transaction holding the append lock), else the session.
    """
    pending = sorted((c for c in anchors if c.entries > 0), key=lambda c: c.entries)
    heads: dict[int, str] = {}  # lane -> hash of its latest entry so far
    last_hash, checked, waiting = None, 0, 0
    matched_until = None  # id of the newest entry a checkpoint vouched for
    first_unvouched = None
    last_id = None
    # Plain rows, not ORM objects: what the database holds, never a cached object, and
    # memory stays flat on long logs.
    columns = [column for column in AuditEntry.__table__.columns if column.name != "actor_id"]
    query = select(*columns).order_by(AuditEntry.id).execution_options(yield_per=batch_size)
    with (connection or db.session).execute(query) as rows:  # closes the server-side cursor
        for row in rows:
            checked += 1
            expected_previous = heads.get(row.lane) or genesis(row.lane)
            if row.previous_hash != expected_previous or not accept(row, checked):
                return VerificationResult(False, row.id, checked)
            if first_unvouched is None:
                first_unvouched = row.id
            while waiting < len(pending) and pending[waiting].entries == checked:
                anchor = pending[waiting]
                if (anchor.head_id, anchor.head_hash) != (row.id, row.entry_hash):
                    return VerificationResult(
                        False,
                        first_unvouched,
                        checked,
                        problem=DIVERGED,
                        checkpoint=anchor,
                        last_id=matched_until,
                    )
                matched_until, first_unvouched = row.id, None
                waiting += 1
            heads[row.lane] = last_hash = row.entry_hash
            last_id = row.id
    if waiting < len(pending):
        return VerificationResult(
            False, None, checked, problem=TRUNCATED, checkpoint=pending[-1], last_id=last_id
        )
    return VerificationResult(True, None, checked, last_hash)


def entries(
    subject_type: str | None = None,
    subject_id: str | int | None = None,
    actor_id: int | None = None,
    *,
    limit: int = 50,
    offset: int = 0,
) -> list[AuditEntry]:
    """Return entries, newest first, optionally for one subject or one actor."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if subject_type is not None:
        query = query.where(AuditEntry.subject_type == subject_type)
    if subject_id is not None:
        query = query.where(AuditEntry.subject_id == str(subject_id))
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    return list(db.session.scalars(query.limit(limit).offset(offset)))


@contextmanager
def maintenance(connection: Connection) -> Iterator[None]:
    """Let this transaction update and delete audit rows (test cleanup, data retention).

    PostgreSQL: ``SET LOCAL tracing.audit_maintenance = 'on'``, which the trigger honours.
    SQLite: the triggers are dropped and re-created from their own stored SQL inside the
    transaction; DDL is transactional there and writers are serialized, so no other
    connection ever sees the table without them. On an error, roll the transaction back.
    """
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.execute(text("SET LOCAL tracing.audit_maintenance = 'on'"))
        yield
        connection.execute(text("SET LOCAL tracing.audit_maintenance = 'off'"))
        return
    if dialect != "sqlite":
        yield
        return
    # The write lock first: it also opens the transaction, so DROP TRIGGER cannot autocommit.
    take_append_lock(connection)
    triggers = connection.execute(
        text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"
        )
    ).all()
    for name, _sql in triggers:
        connection.execute(text(f'DROP TRIGGER "{name}"'))
    yield
    for _name, sql in triggers:
        connection.execute(text(sql))


def take_append_lock(connection: Connection) -> None:
    """Hold every lane until the end of the transaction: no append in flight or starting."""
    take_all_lanes(connection)


def _canonical_details(details: dict) -> str:
    if not isinstance(details, dict):
        raise TypeError("details must be a dict")
    for key, value in details.items():
        _check_no_personal_data("details key", key)
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            if not isinstance(item, str | int | float | bool | type(None)):
                raise TypeError(f"details[{key!r}] must be a scalar or a list of scalars")
            _check_no_personal_data(f"details[{key!r}]", item)
    return json.dumps(details, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _check_no_personal_data(where: str, value: object) -> None:
    """Refuse values shaped like e-mail addresses or long numbers (a heuristic, not proof)."""
    if isinstance(value, bool) or value is None:
        return
    value = str(value)
    if "@" in value or _LONG_NUMBER.search(value):
        # Name the place, never the value: the message may reach a log.
        raise PersonalDataError(f"{where} looks like it holds personal data")
