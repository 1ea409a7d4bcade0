"""Insert an entry at the head of a lane of the audit chain, in as few statements as can be.

How the lanes work and why an append needs no lock of its own on PostgreSQL when the
writer knows its lane's head: :mod:`.lanes` and docs/audit-log.md. The hash of an entry
(``compute_hash``) is defined here too, for appends, verification and rekeying alike.
"""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import UTC, datetime

from sqlalchemy import BigInteger, Row, bindparam, case, event, false, func, insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.orm import Session, make_transient_to_detached

from tracing_app.audit.lanes import genesis, lane_lock_key, prefer_lane, preferred_lane, take_lane
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


def append(session: Session, entry: AuditEntry) -> None:
    """Insert ``entry`` (flushed, not committed) and remember it as its lane's new head."""
    _insert(session, entry)
    session.info.setdefault(_APPENDED_HEADS, {})[entry.lane] = entry.entry_hash


def _insert(session: Session, entry: AuditEntry) -> None:
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
    previous_hash = session.execute(head_of(lane)).scalar_one_or_none()
    entry.lane = lane
    entry.previous_hash = previous_hash or genesis(lane)
    entry.entry_hash = compute_hash(entry, current_audit_key())
    session.add(entry)
    session.flush()


def head_of(lane: int):
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
    params = {name: getattr(entry, name) for name in _entry_columns()}
    params.update(lane_=lane, known_=known)
    if claim:
        params["lock_key_"] = lane_lock_key(lane)
    inserted = session.execute(_insert_after_statement(claim=claim), params).scalar_one_or_none()
    if inserted is None:
        return False
    entry.id = inserted
    make_transient_to_detached(entry)
    session.add(entry)  # persistent, as if the session had inserted it
    return True


@functools.cache
def _entry_columns() -> tuple[str, ...]:
    return tuple(column.name for column in AuditEntry.__table__.columns if column.name != "id")


@functools.cache
def _insert_after_statement(*, claim: bool):
    """The INSERT of :func:`_insert_after`, built once: the entry's values are parameters."""
    table = AuditEntry.__table__
    names = _entry_columns()
    values = select(*[bindparam(name, type_=table.c[name].type).label(name) for name in names])
    head = (
        select(AuditEntry.entry_hash)
        .where(AuditEntry.lane == bindparam("lane_"))
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    known = bindparam("known_", type_=table.c.entry_hash.type)
    if claim:
        head = head.with_for_update(read=True, key_share=True).scalar_subquery()
        lock = func.pg_try_advisory_xact_lock(bindparam("lock_key_", type_=BigInteger))
        # CASE: the head is read (and its row locked) only once the lane is ours.
        statement = (
            postgresql_insert(table)
            .from_select(names, values.where(case((lock, head == known), else_=false())))
            .on_conflict_do_nothing(index_elements=[table.c.previous_hash])
        )
    else:
        statement = insert(table).from_select(names, values.where(head.scalar_subquery() == known))
    return statement.returning(table.c.id)


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
