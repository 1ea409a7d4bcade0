"""Tickets, their blind indexes, who may open them, and escalations to specialists.

Every personal value is stored encrypted (``*_enc`` columns, tokens of :mod:`.crypto`
bound to ``"<table>:<row id>:<column>"``); the plain columns hold nothing personal: the
reference, the status, the citizen's language and dates. See docs/tickets.md.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.auth.models import User, utcnow
from content.extensions import db

OPEN = "open"
IN_PROGRESS = "in_progress"
ESCALATED = "escalated"
CLOSED = "closed"
STATUSES = (OPEN, IN_PROGRESS, ESCALATED, CLOSED)

#: Encrypted columns of ``tickets``: the name of the value, its column is ``<name>_enc``.
ENCRYPTED_FIELDS = (
    "first_name",
    "last_name",
    "national_number",
    "birth_date",
    "phone",
    "email",
    "address",
    "notes",
)

# Escalation states: waiting in the queue, taken by a specialist, answered (closed).
ESCALATION_OPEN = "open"
ESCALATION_TAKEN = "taken"
ESCALATION_ANSWERED = "answered"
ESCALATION_STATES = (ESCALATION_OPEN, ESCALATION_TAKEN, ESCALATION_ANSWERED)


class Ticket(db.Model):
    """The file of one citizen: status, language, script answers, encrypted personal data.

    ``version`` is SQLAlchemy's version counter: every ORM update checks and bumps it, so
    a save on top of a stale read fails instead of overwriting someone else's change.
    Key rotation writes tokens with Core statements and leaves it alone (no content change).
    """

    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Shown to people and read over the phone (``TR-7K3M-9QXD``); never the id.
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=OPEN, index=True)
    #: The citizen's language (nl, fr, de, en): documents and scripts use it.
    language: Mapped[str] = mapped_column(String(8), default="nl")
    #: Where the ticket came from: "import", "inbound", "contact"… (not personal).
    source: Mapped[str] = mapped_column(String(40), default="")
    version: Mapped[int] = mapped_column(default=1)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)
    updated_dt: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the ticket was last closed (None while open): retention counts from it.
    closed_dt: Mapped[datetime | None] = mapped_column(index=True)
    #: When retention erased its personal data: the ticket is a shell for statistics.
    purged_dt: Mapped[datetime | None]
    assigned_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: The script form filled for this ticket (the latest one), if any. Indexed: every
    #: autosave of a form finds its ticket (identity answers, calls/identity.py).
    script_response_id: Mapped[int | None] = mapped_column(
        ForeignKey("form_responses.id", ondelete="SET NULL"), index=True
    )
    first_name_enc: Mapped[str | None] = mapped_column(Text)
    last_name_enc: Mapped[str | None] = mapped_column(Text)
    national_number_enc: Mapped[str | None] = mapped_column(Text)
    #: ``YYYY-MM-DD`` before encryption.
    birth_date_enc: Mapped[str | None] = mapped_column(Text)
    phone_enc: Mapped[str | None] = mapped_column(Text)
    email_enc: Mapped[str | None] = mapped_column(Text)
    address_enc: Mapped[str | None] = mapped_column(Text)
    notes_enc: Mapped[str | None] = mapped_column(Text)

    assigned_to: Mapped[User | None] = relationship()
    blind_indexes: Mapped[list[TicketBlindIndex]] = relationship(
        back_populates="ticket", cascade="all, delete-orphan", passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Ticket {self.id} {self.reference} {self.status} v{self.version}>"


class TicketBlindIndex(db.Model):
    """One searchable value of a ticket as a keyed HMAC (see blind_index.py).

    One row per ticket, kind and key: a key rotation writes the rows under the new key
    and then drops the old ones, so lookups find the ticket at every moment.
    """

    __tablename__ = "ticket_blind_indexes"
    __table_args__ = (Index("ix_ticket_blind_indexes_kind_digest", "kind", "digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    digest: Mapped[str] = mapped_column(String(64))
    #: The id of the key the digest was computed with (not secret).
    key_id: Mapped[str] = mapped_column(String(32))
    indexed_dt: Mapped[datetime] = mapped_column(default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="blind_indexes")

    def __repr__(self) -> str:
        return f"<TicketBlindIndex t{self.ticket_id} {self.kind} key={self.key_id}>"


class TicketAccess(db.Model):
    """A user may open a ticket until ``expires_dt``: given by a lookup that found it.

    Assignment (``tickets.assigned_to_id``) gives access without a row here.
    """

    __tablename__ = "ticket_access"
    __table_args__ = (Index("ix_ticket_access_user_ticket", "user_id", "ticket_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    #: Why: "lookup", "assignment", "call"… (a code, never free text about the person).
    reason: Mapped[str] = mapped_column(String(40))
    granted_dt: Mapped[datetime] = mapped_column(default=utcnow)
    expires_dt: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<TicketAccess u{self.user_id} t{self.ticket_id} {self.reason}>"


class TicketEscalation(db.Model):
    """A question about a ticket for the specialists' queue; note and answer are encrypted."""

    __tablename__ = "ticket_escalations"
    __table_args__ = (Index("ix_ticket_escalations_state_created", "state", "created_dt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(20), default=ESCALATION_OPEN)
    note_enc: Mapped[str | None] = mapped_column(Text)
    answer_enc: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)
    taken_dt: Mapped[datetime | None]
    answered_dt: Mapped[datetime | None]

    ticket: Mapped[Ticket] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    taken_by: Mapped[User | None] = relationship(foreign_keys=[taken_by_id])

    def __repr__(self) -> str:
        return f"<TicketEscalation {self.id} t{self.ticket_id} {self.state}>"
