"""Checkpoints of the audit log, kept outside the database: count, head hash, time, MAC.

One JSON object a line, appended (never rewritten) to ``AUDIT_CHECKPOINT_FILE``
(``<instance>/audit-checkpoints.jsonl`` by default). Each line is MACed with the audit
key, so whoever writes the database but lacks the key can neither forge one nor make
the log agree with one after deleting its newest entries. See docs/audit-log.md.

A checkpoint is written by :func:`write_checkpoint` (``tracing-app audit checkpoint``, a
periodic job) and, without a job runner, after the commit of an audited transaction when
the latest one is older than ``AUDIT_CHECKPOINT_MINUTES``: the check costs a comparison
with a time cached per process, and a ``stat`` of the file once that time has passed.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app, has_app_context
from sqlalchemy import event, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from content.extensions import db
from tracing_app.audit.lanes import take_all_lanes, try_all_lanes
from tracing_app.audit.models import AuditEntry
from tracing_app.protection.audit_key import AuditKey, current_audit_key
from tracing_app.protection.keys import KeyRingError

FORMAT = "audit-checkpoint-v1"
FILE_NAME = "audit-checkpoints.jsonl"
#: A checkpoint of a chain rewritten by ``tracing-app audit rekey``: the ones before it
#: describe the old hashes and are no longer compared.
REKEY = "rekey"
EXTENSION = "tracing.audit_checkpoints"
_APPENDED = "tracing.audit_appended"

log = logging.getLogger(__name__)


#: Why a line of the checkpoint file is refused (``CheckpointError.reason``).
MALFORMED = "malformed"
OTHER_KEY = "other_key"
ALTERED = "altered"


class CheckpointError(Exception):
    """A line of the checkpoint file is malformed, altered, or under another audit key."""

    def __init__(self, line: int, reason: str):
        super().__init__(f"checkpoint line {line}: {reason}")
        self.line = line
        self.reason = reason


@dataclass(frozen=True)
class Checkpoint:
    """What the log was at one moment: its entry count and last entry."""

    entries: int
    head_id: int | None
    head_hash: str | None
    written_dt: str
    key_id: str
    kind: str = ""
    line: int = 0

    def payload(self) -> dict:
        """The MACed fields, as written (the line number is not part of it)."""
        return {
            "format": FORMAT,
            "entries": self.entries,
            "head_id": self.head_id,
            "head_hash": self.head_hash,
            "written_dt": self.written_dt,
            "key": self.key_id,
            "kind": self.kind,
        }


def checkpoint_path() -> Path:
    """Return the checkpoint file of the current app (``AUDIT_CHECKPOINT_FILE``)."""
    configured = current_app.config.get("AUDIT_CHECKPOINT_FILE")
    return Path(configured) if configured else Path(current_app.instance_path) / FILE_NAME


def _mac(key: AuditKey, payload: dict) -> str:
    return key.checkpoint_mac(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode())


class LogBusy(Exception):
    """An append was in flight and the caller asked not to wait (``wait=False``)."""


def write_checkpoint(*, kind: str = "", wait: bool = True) -> Checkpoint:
    """Append a checkpoint of the committed log to the checkpoint file and return it.

    Reads on a connection of its own, so only committed entries count, holding every lane
    (:mod:`.lanes`): appends in flight finish first and later ones get higher ids, so the
    count up to the head is final. Safe to call from a periodic job and from several
    processes at once.

    :param wait: False: give up (:class:`LogBusy`) rather than wait for appends in flight.
    :raise KeyRingError: no audit key. :raise OSError: the file cannot be written.
    """
    key = current_audit_key()
    path = checkpoint_path()
    with db.engine.begin() as conn:
        if not wait and not try_all_lanes(conn):
            raise LogBusy
        if wait and conn.dialect.name == "postgresql":  # SQLite: ids follow commit order
            take_all_lanes(conn)
        head = conn.execute(
            select(AuditEntry.id, AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
        ).first()
        entries = _count_until(conn, head.id, _latest(path, key)) if head else 0
    checkpoint = Checkpoint(
        entries=entries,
        head_id=head.id if head else None,
        head_hash=head.entry_hash if head else None,
        written_dt=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        key_id=key.key_id,
        kind=kind,
    )
    payload = checkpoint.payload()
    line = json.dumps({**payload, "mac": _mac(key, payload)}, sort_keys=True) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_APPEND: one write of one short line lands whole at the end, whoever else appends.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    _state()["next"] = time.time() + _interval()
    return checkpoint


def _count_until(conn, head_id: int, previous: Checkpoint | None) -> int:
    """Count the entries up to ``head_id``, from the previous checkpoint when it still holds.

    Counting only what came since keeps a checkpoint cheap on a log of millions of entries;
    when the previous head is gone or changed (a rekey, or tampering that verify reports),
    everything is counted.
    """
    table = AuditEntry.__table__
    if previous is not None and previous.head_id is not None and previous.head_id <= head_id:
        still = conn.scalar(select(table.c.entry_hash).where(table.c.id == previous.head_id))
        if still == previous.head_hash:
            since = conn.scalar(
                select(func.count())
                .select_from(table)
                .where(table.c.id > previous.head_id, table.c.id <= head_id)
            )
            return previous.entries + since
    return conn.scalar(select(func.count()).select_from(table).where(table.c.id <= head_id))


def _latest(path: Path, key: AuditKey) -> Checkpoint | None:
    """Return the file's last checkpoint when it is valid (else None: count from the start)."""
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - 4096))  # a line is about 350 bytes
            tail = fh.read().decode("utf-8", "replace")
    except OSError:
        return None
    lines = [line for line in tail.splitlines() if line.strip()]
    try:
        return _parse(0, lines[-1], key) if lines else None
    except CheckpointError:
        return None


def read_checkpoints(path: Path | None = None) -> list[Checkpoint]:
    """Return the checkpoints that describe the current chain (since the latest rekey).

    :raise CheckpointError: a line is not a checkpoint, was altered, or is under another key.
    """
    path = path or checkpoint_path()
    if not path.exists():
        return []
    key = current_audit_key()
    found: list[Checkpoint] = []
    with path.open(encoding="utf-8") as fh:
        for number, text in enumerate(fh, start=1):
            if not text.strip():
                continue
            checkpoint = _parse(number, text, key)
            if checkpoint.kind == REKEY:
                found = []
            found.append(checkpoint)
    return found


def _parse(number: int, text: str, key: AuditKey) -> Checkpoint:
    try:
        data = json.loads(text)
        checkpoint = Checkpoint(
            entries=data["entries"],
            head_id=data["head_id"],
            head_hash=data["head_hash"],
            written_dt=data["written_dt"],
            key_id=data["key"],
            kind=data.get("kind", ""),
            line=number,
        )
        mac = data["mac"]
    except (ValueError, KeyError, TypeError):
        raise CheckpointError(number, MALFORMED) from None
    if data.get("format") != FORMAT or not isinstance(checkpoint.entries, int):
        raise CheckpointError(number, MALFORMED)
    if checkpoint.key_id != key.key_id:
        raise CheckpointError(number, OTHER_KEY)
    if not isinstance(mac, str) or not hmac.compare_digest(mac, _mac(key, checkpoint.payload())):
        raise CheckpointError(number, ALTERED)
    return checkpoint


def _interval() -> float:
    return float(current_app.config.get("AUDIT_CHECKPOINT_MINUTES") or 0) * 60


def _state() -> dict:
    return current_app.extensions.setdefault(EXTENSION, {"next": 0.0})


def maybe_write_checkpoint() -> Checkpoint | None:
    """Write a checkpoint when the latest one is older than ``AUDIT_CHECKPOINT_MINUTES``.

    Never raises: the audited change is committed already; a failure is logged (no entry
    content) and tried again after the interval.
    """
    interval = _interval()
    now = time.time()
    state = _state()
    if interval <= 0 or now < state["next"]:
        return None
    try:
        latest = checkpoint_path().stat().st_mtime
    except OSError:
        latest = 0.0
    if now - latest < interval:
        state["next"] = latest + interval  # another process wrote one: trust the file
        return None
    try:
        # Never wait for other requests' appends here: the next audited commit tries again.
        return write_checkpoint(wait=False)
    except LogBusy:
        return None
    except (OSError, KeyRingError, SQLAlchemyError) as exc:
        state["next"] = now + interval
        log.warning("audit checkpoint not written: %s", type(exc).__name__)
        return None


def forget_checkpoint_time(app=None) -> None:
    """Drop the cached time of the latest checkpoint (after the file was moved or removed)."""
    (app or current_app).extensions.pop(EXTENSION, None)


def note_append(session: Session) -> None:
    """Mark the session's transaction as audited: its commit may write a checkpoint."""
    session.info[_APPENDED] = True


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(_APPENDED, False) and has_app_context():
        maybe_write_checkpoint()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_APPENDED, None)
