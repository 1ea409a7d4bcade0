"""Append to the audit log, verify its keyed hash chain against the checkpoints, and read it.

Each entry's hash is an HMAC under the audit key (kept outside the database, see
:mod:`tracing_app.protection.audit_key`), so whoever rewrites rows cannot recompute the
chain; checkpoints outside the database (:mod:`.checkpoints`) reveal deleted newest
entries. The log is a few interleaved chains, the lanes (:mod:`.lanes`): an append takes
a lane no other transaction holds (PostgreSQL: an advisory lock per lane, taken in the
insert itself when the writer knows the lane's head) and keeps it until the caller's
transaction ends, so concurrent writers do not wait on each other and no lane ever forks;
on SQLite, which has one writer at a time, the database's write lock is taken before the
last hash is read. Nothing here logs entry contents.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Connection,
    Row,
    case,
    event,
    false,
    func,
    insert,
    literal,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.orm import Session, make_transient_to_detached

from content.auth.models import User, utcnow
from content.extensions import db
from tracing_app.audit import checkpoints
from tracing_app.audit.checkpoints import Checkpoint, CheckpointError
from tracing_app.audit.lanes import (
    genesis,
    lane_lock_key,
    prefer_lane,
    preferred_lane,
    take_all_lanes,
    take_lane,
)
from tracing_app.audit.models import AuditEntry
from tracing_app.protection.audit_key import AuditKey, current_audit_key

#: ``session.info`` key: (transaction, lane) of the lane the transaction holds.
_LANE = "tracing.audit_lane"
#: ``session.info`` key: lane -> hash of the transaction's last entry there.
_APPENDED_HEADS = "tracing.audit_heads"
#: (database URL, lane) -> hash of the last entry this process committed to the lane: the
#: head the next append expects (:func:`_insert_after`), checked by the database.
_known_heads: dict[tuple[str, int], str] = {}

#: Entries hashed with the audit key (HMAC-SHA256).
HASH_FORMAT = "audit-v2"
#: Entries written before the audit key: plain SHA-256 (``tracing-app audit rekey``).
PLAIN_HASH_FORMAT = "audit-v1"

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
    _append(session(), entry)
    session.info.setdefault(_APPENDED_HEADS, {})[entry.lane] = entry.entry_hash
    checkpoints.note_append(session)
    return entry


def _append(session: Session, entry: AuditEntry) -> None:
    """Insert ``entry`` at the head of the lane its transaction holds, taking one if need be.

    The common case is one statement: after an entry of the same transaction (the lane is
    held), or the first entry after the head this thread last committed to its preferred
    lane (:func:`_insert_after`, which takes the lane in the same statement). Otherwise the
    lane is taken first and its head read, then the entry inserted.
    """
    lane = _held_lane(session)
    if lane is not None:
        # This transaction's previous entry: the head, unless a savepoint rolled it back.
        known = session.info.get(_APPENDED_HEADS, {}).get(lane)
    else:
        postgresql = session.connection().dialect.name == "postgresql"
        prefer = preferred_lane() if postgresql else 0
        known = _known_heads.get((_bind_key(session), prefer))
        claimed = postgresql and known is not None
        if claimed and _insert_after(session, entry, prefer, known, claim=True):
            _hold(session, prefer)
            return
        # SQLite: the write lock, lane 0. PostgreSQL: no known head, or it was not the head
        # (another writer appended since) or the lane was busy: take a lane, read its head.
        lane = take_lane(session.connection(), prefer=prefer)
        _hold(session, lane)
        known = None if claimed else _known_heads.get((_bind_key(session), lane))
    if known is not None and _insert_after(session, entry, lane, known, claim=False):
        return
    previous_hash = session.execute(_head_of(lane)).scalar_one_or_none()
    entry.lane = lane
    entry.previous_hash = previous_hash or genesis(lane)
    entry.entry_hash = compute_hash(entry, current_audit_key())
    session.add(entry)
    session.flush()


def _head_of(lane: int):
    """Return the query of the hash of ``lane``'s newest entry."""
    return (
        select(AuditEntry.entry_hash)
        .where(AuditEntry.lane == lane)
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )


def _insert_after(session: Session, entry: AuditEntry, lane: int, known: str, *, claim: bool):
    """Insert ``entry`` into ``lane`` after ``known`` if that is still the lane's head.

    One statement: ``INSERT … SELECT … WHERE`` the lane's newest hash, read in the same
    statement, is ``known``. The database decides; ``known`` is only a hint. Return whether
    the entry was inserted (then it is attached to the session as if flushed).

    :param claim: the transaction does not hold ``lane`` yet (PostgreSQL): the statement
        takes it (``pg_try_advisory_xact_lock``) before reading the head. READ COMMITTED
        took the statement's snapshot before that lock, so what the lane's previous holder
        committed in between is invisible to the head query; two checks see it anyway. The
        head row is locked ``FOR KEY SHARE``, which re-reads it as committed now (a rewrite
        by rekey or maintenance changed or deleted it: not the head); and ``ON CONFLICT
        (previous_hash) DO NOTHING`` skips the insert when an entry committed since links
        to ``known`` already (``previous_hash`` is unique). Then nothing is inserted, and
        the caller takes the lane (held already when the lock succeeded) and reads the head.
    """
    entry.lane = lane
    entry.previous_hash = known
    entry.entry_hash = compute_hash(entry, current_audit_key())
    session.flush()  # what the transaction wrote before: in its order, as with add + flush
    table = AuditEntry.__table__
    names = [column.name for column in table.columns if column.name != "id"]
    values = select(
        *[literal(getattr(entry, name), table.c[name].type).label(name) for name in names]
    )
    if claim:
        head = _head_of(lane).with_for_update(read=True, key_share=True).scalar_subquery()
        lock = func.pg_try_advisory_xact_lock(literal(lane_lock_key(lane), BigInteger))
        # CASE: the head is read (and its row locked) only once the lane is ours.
        statement = (
            postgresql_insert(table)
            .from_select(names, values.where(case((lock, head == known), else_=false())))
            .on_conflict_do_nothing(index_elements=[table.c.previous_hash])
        )
    else:
        statement = insert(table).from_select(
            names, values.where(_head_of(lane).scalar_subquery() == known)
        )
    inserted = session.execute(statement.returning(table.c.id)).scalar_one_or_none()
    if inserted is None:
        return False
    entry.id = inserted
    make_transient_to_detached(entry)
    session.add(entry)  # persistent, as if the session had inserted it
    return True


def _bind_key(session) -> str:
    return str(session.get_bind().url)


@event.listens_for(Session, "after_commit")
def _remember_heads(session: Session) -> None:
    appended = session.info.pop(_APPENDED_HEADS, None)
    if appended:
        key = _bind_key(session)
        for lane, head in appended.items():
            _known_heads[(key, lane)] = head
        if session.get_bind().dialect.name == "postgresql":  # SQLite: always lane 0
            prefer_lane(next(iter(appended)))  # a transaction appends to one lane


@event.listens_for(Session, "after_rollback")
def _forget_heads(session: Session) -> None:
    session.info.pop(_APPENDED_HEADS, None)


def _held_lane(session: Session) -> int | None:
    """Return the lane this transaction holds (it appended there), or None."""
    held = session.info.get(_LANE)
    if held is not None and held[0] is session.get_transaction():
        return held[1]
    return None


def _hold(session: Session, lane: int) -> None:
    session.info[_LANE] = (session.get_transaction(), lane)


def compute_hash(entry: AuditEntry | Row, key: AuditKey | None) -> str:
    """Return the hex HMAC-SHA256 of the entry's canonical serialization under the audit key.

    With ``key=None``: the plain SHA-256 of entries written before the audit key existed
    (read only by ``tracing-app audit rekey``). See docs/audit-log.md.
    """
    payload = {
        "format": HASH_FORMAT if key is not None else PLAIN_HASH_FORMAT,
        "created_dt": format_dt(entry.created_dt),
        "actor_label": entry.actor_label,
        "action": entry.action,
        "subject_type": entry.subject_type,
        "subject_id": entry.subject_id,
        "reason": entry.reason,
        "details": entry.details,
        "previous_hash": entry.previous_hash,
    }
    serialized = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if key is None:
        return hashlib.sha256(serialized.encode("utf-8")).hexdigest()
    return key.chain_mac(serialized.encode("utf-8"))


def format_dt(value: datetime) -> str:
    """Format a point in time as hashed: UTC with microseconds, ``…T…Z``."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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
