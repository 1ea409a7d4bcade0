"""The change feed exports read: one row per saved ticket, call attempt or filled form.

Rows are written in the saving transaction by a session hook, so nothing that agents
save escapes the feed. Reading it page by page must never skip a row nor give one twice,
while agents keep saving:

- *SQLite* has one writer at a time, and a row's id is taken while holding the write
  lock, so ids become visible in id order: the cursor is the last id sent.
- *PostgreSQL* commits concurrent transactions in any order, so an id can become visible
  after a higher one was already sent. Each row also stores its transaction id
  (``pg_current_xact_id()``); a page only holds rows of transactions older than the
  oldest one still running (``pg_snapshot_xmin``), all finished and visible, ordered by
  (transaction id, id). Any row not yet visible belongs to a running or later
  transaction, so it sorts after everything sent: the cursor (xid, id) never passes it.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Index,
    Row,
    String,
    event,
    literal_column,
    select,
    text,
    tuple_,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from content.auth.models import utcnow
from content.extensions import db

TICKET = "ticket"
ATTEMPT = "attempt"
FORM = "form"
KINDS = (TICKET, ATTEMPT, FORM)


class ExchangeChange(db.Model):
    """One saved record to export: its kind and id, and the transaction that saved it."""

    __tablename__ = "exchange_changes"
    __table_args__ = (Index("ix_exchange_changes_feed", "kind", "txid", "id"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(db.Integer, "sqlite"), primary_key=True
    )
    #: PostgreSQL's transaction id of the save; 0 on SQLite, where ids alone are in order.
    txid: Mapped[int] = mapped_column(BigInteger, default=0)
    kind: Mapped[str] = mapped_column(String(10))
    subject_id: Mapped[int]
    changed_dt: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<ExchangeChange {self.id} {self.kind} {self.subject_id} xid {self.txid}>"


_CURSOR_TEXT = re.compile(r"(0|[1-9][0-9]{0,18})\.(0|[1-9][0-9]{0,18})")
_BIGINT_MAX = 2**63 - 1


class CursorError(ValueError):  # a ValueError: views answer both the same way
    """A cursor that this site did not give out."""


@dataclass(frozen=True, order=True)
class Cursor:
    """A position in the feed: after the change (txid, id)."""

    txid: int = 0
    id: int = 0

    def encode(self) -> str:
        """Return the opaque text given to clients."""
        return base64.urlsafe_b64encode(f"{self.txid}.{self.id}".encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str | None) -> Cursor:
        """Read a cursor given out earlier; empty means the start of the feed.

        :raise CursorError: for anything else.
        """
        if not value:
            return cls()
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode("ascii")
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise CursorError("not a cursor of this site") from None
        # Only what encode() writes: two canonical numbers that fit a BIGINT column (a
        # larger one would overflow the database's integer and fail as a server error).
        match = _CURSOR_TEXT.fullmatch(raw)
        if match is None:
            raise CursorError("not a cursor of this site")
        cursor = cls(int(match[1]), int(match[2]))
        if max(cursor.txid, cursor.id) > _BIGINT_MAX or cursor.encode() != value.rstrip("="):
            raise CursorError("not a cursor of this site")
        return cursor


def _subject_kinds() -> dict[type, str]:
    from tracing_app.calls.models import CallAttempt
    from tracing_app.scripts.models import FormResponse
    from tracing_app.tickets.models import Ticket

    return {Ticket: TICKET, CallAttempt: ATTEMPT, FormResponse: FORM}


def _record_changes(session: Session, _flush_context, _instances) -> None:
    """Remember the tickets, attempts and forms this flush saves (new ones have no id yet)."""
    kinds = _subject_kinds()
    pending = session.info.setdefault("exchange_pending", [])
    for obj in (*session.new, *session.dirty):
        kind = kinds.get(type(obj))
        if kind and (obj in session.new or session.is_modified(obj)):
            pending.append((kind, obj))


def _write_changes(session: Session, _flush_context) -> None:
    """Write one change row per saved record and transaction."""
    pending = session.info.pop("exchange_pending", None)
    if not pending:
        return
    written = session.info.setdefault("exchange_written", set())
    changed = sorted({(kind, obj.id) for kind, obj in pending} - written)
    if not changed:
        return
    written.update(changed)
    connection = session.connection()
    txid = (
        literal_column("pg_current_xact_id()::text::bigint")
        if connection.dialect.name == "postgresql"
        else 0
    )
    now = utcnow()
    for kind, subject_id in changed:
        connection.execute(
            ExchangeChange.__table__.insert().values(
                kind=kind, subject_id=subject_id, txid=txid, changed_dt=now
            )
        )


def record_changes(connection, kind: str, subject_ids: list[int]) -> None:
    """Write change rows for records changed by Core statements (the session hook misses them).

    The retention purge uses it: a purged ticket appears in the feed again, as a tombstone.
    """
    if not subject_ids:
        return
    txid = (
        literal_column("pg_current_xact_id()::text::bigint")
        if connection.dialect.name == "postgresql"
        else 0
    )
    now = utcnow()
    connection.execute(
        ExchangeChange.__table__.insert().values(txid=txid),
        [{"kind": kind, "subject_id": i, "changed_dt": now} for i in subject_ids],
    )


def _forget_written(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop("exchange_written", None)
        session.info.pop("exchange_pending", None)


def install() -> None:
    """Hook the change feed into every session (once per process)."""
    # before_flush sees what changes (ids of new rows are not known yet); after_flush writes.
    if not event.contains(Session, "before_flush", _record_changes):
        event.listen(Session, "before_flush", _record_changes)
        event.listen(Session, "after_flush", _write_changes)
        event.listen(Session, "after_transaction_end", _forget_written)


def _horizon(connection) -> int | None:
    """Return the transaction id below which every transaction has finished (None: SQLite)."""
    if connection.dialect.name != "postgresql":
        return None
    return connection.execute(
        text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
    ).scalar_one()


def page(kind: str, after: Cursor, limit: int) -> tuple[list[Row], Cursor]:
    """Return up to ``limit`` changes of ``kind`` after the cursor, and the cursor after them.

    Rows have ``txid``, ``id`` and ``subject_id`` (plain rows: exports read many).
    """
    horizon = _horizon(db.session.connection())
    columns = (ExchangeChange.txid, ExchangeChange.id, ExchangeChange.subject_id)
    # A row-value comparison: the index (kind, txid, id) seeks straight to the cursor,
    # where "txid > a OR (txid = a AND id > b)" would scan from the feed's start each page.
    query = select(*columns).where(
        ExchangeChange.kind == kind,
        tuple_(ExchangeChange.txid, ExchangeChange.id) > tuple_(after.txid, after.id),
    )
    if horizon is not None:
        query = query.where(ExchangeChange.txid < horizon)
    query = query.order_by(ExchangeChange.txid, ExchangeChange.id).limit(limit)
    rows = list(db.session.execute(query))
    return rows, (Cursor(rows[-1].txid, rows[-1].id) if rows else after)


def subjects(rows: Iterable[Row]) -> list[int]:
    """The subject ids of the rows, in feed order."""
    return [row.subject_id for row in rows]
