"""The change feed exports read: one row per saved ticket, call attempt or filled form.

Rows are written by the database: row triggers on ``tickets``, ``call_attempts`` and
``form_responses`` (migration ``c4d2e8f1a6b3``) insert them in the saving transaction,
so nothing saved escapes the feed, ORM or Core, and the application sends no statement
for it. A trigger fires on INSERT and on an UPDATE that sets any column but those of
:data:`NOT_A_SAVE`. On PostgreSQL a record has at most one row per transaction (a unique
index on (txid, kind, subject_id)); SQLite has no transaction id, so a record written by two
flushes of one transaction (a new ticket: its row, then its tokens bound to the row id)
has two rows there: :func:`subjects` sends it once per page, and consumers upsert anyway.

Reading the feed page by page must never skip a row nor give one twice, while agents
keep saving:

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

from sqlalchemy import BigInteger, Index, Row, String, select, text, tuple_
from sqlalchemy.orm import Mapped, mapped_column

from content.auth.models import utcnow
from content.extensions import db

TICKET = "ticket"
ATTEMPT = "attempt"
FORM = "form"
KINDS = (TICKET, ATTEMPT, FORM)

#: The tables whose saves the triggers record, and the kind of their rows.
TABLE_KINDS = {"tickets": TICKET, "call_attempts": ATTEMPT, "form_responses": FORM}

#: Columns whose change alone is no save, so the triggers leave them out: the tokens that
#: key rotation re-encrypts (and the purge empties) without changing what they hold, and
#: the links the database sets to NULL when the other row is deleted. An ORM save writes
#: another column too (a ticket's ``version``, a form's ``revision`` or ``state``); the
#: purge sets ``purged_dt``, so a purged ticket is sent again, as a tombstone.
NOT_A_SAVE = {
    "tickets": {
        "id", "assigned_to_id", "script_response_id", "first_name_enc", "last_name_enc",
        "national_number_enc", "birth_date_enc", "phone_enc", "email_enc", "address_enc",
        "notes_enc",
    },
    "call_attempts": {"id", "agent_id", "note_enc"},
    "form_responses": {"id", "agent_id", "answers_json"},
}  # fmt: skip


class ExchangeChange(db.Model):
    """One saved record to export: its kind and id, and the transaction that saved it.

    Written by the triggers of the saved tables, never by the application.
    """

    __tablename__ = "exchange_changes"
    __table_args__ = (
        Index("ix_exchange_changes_feed", "kind", "txid", "id"),
        # One row per record and transaction (PostgreSQL; SQLite's txid is always 0).
        Index(
            "uq_exchange_changes_once",
            "txid",
            "kind",
            "subject_id",
            unique=True,
            postgresql_where=text("txid <> 0"),
            sqlite_where=text("txid <> 0"),
        ),
    )

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
    """The subject ids of the rows, in feed order, each once (a record is built as it is now)."""
    return list(dict.fromkeys(row.subject_id for row in rows))
