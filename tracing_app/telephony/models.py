"""Calls as the telephony sees them: one row per call id, and the events it reported."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from content.auth.models import utcnow
from content.extensions import db

RINGING = "ringing"
ANSWERED = "answered"
ENDED = "ended"
EVENT_TYPES = (RINGING, ANSWERED, ENDED)
INBOUND = "inbound"
OUTBOUND = "outbound"


class TelephonyCall(db.Model):
    """One call of the telephony, by its call id: when it rang, was answered, ended."""

    __tablename__ = "telephony_calls"
    __table_args__ = (Index("ix_telephony_calls_ringing", "ringing_dt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[str] = mapped_column(String(100), unique=True)
    direction: Mapped[str] = mapped_column(String(10), default=INBOUND)
    #: For an outbound call placed from the call page (call id ``order-<id>-<n>``).
    order_id: Mapped[int | None] = mapped_column(ForeignKey("call_orders.id", ondelete="SET NULL"))
    attempt_number: Mapped[int | None]
    ringing_dt: Mapped[datetime | None]
    answered_dt: Mapped[datetime | None]
    ended_dt: Mapped[datetime | None]
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def ring_seconds(self) -> int | None:
        """Seconds from ringing to answer (or to the end of an unanswered call)."""
        stop = self.answered_dt or self.ended_dt
        if self.ringing_dt is None or stop is None:
            return None
        return max(0, int((stop - self.ringing_dt).total_seconds()))

    @property
    def talk_seconds(self) -> int | None:
        """Seconds from answer to end (None while not answered or not ended)."""
        if self.answered_dt is None or self.ended_dt is None:
            return None
        return max(0, int((self.ended_dt - self.answered_dt).total_seconds()))

    def __repr__(self) -> str:
        return f"<TelephonyCall {self.id} {self.direction}>"


class TelephonyCallEvent(db.Model):
    """One event reported by the telephony; its event id makes a repeated report a no-op."""

    __tablename__ = "telephony_call_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(100), unique=True)
    call_id: Mapped[int] = mapped_column(
        ForeignKey("telephony_calls.id", ondelete="CASCADE"), index=True
    )
    event_type: Mapped[str] = mapped_column(String(10))
    occurred_dt: Mapped[datetime]
    received_dt: Mapped[datetime] = mapped_column(default=utcnow)
    #: The API client that reported it.
    client_id: Mapped[int | None] = mapped_column(ForeignKey("api_clients.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"<TelephonyCallEvent {self.id} {self.event_type}>"
