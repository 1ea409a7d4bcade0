"""Campaigns and their call orders, the rows agents claim."""

from __future__ import annotations

import json
from datetime import datetime, time

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.auth.models import User, utcnow
from content.extensions import db
from tracing_app.scripts.models import Script
from tracing_app.tickets.models import Ticket

QUEUED = "queued"
CLAIMED = "claimed"
DONE = "done"
CANCELLED = "cancelled"
#: Given up: attempts exhausted without reaching the person, or a wrong number.
NOT_REACHED = "not_reached"
ORDER_STATES = (QUEUED, CLAIMED, DONE, CANCELLED, NOT_REACHED)

# Outcomes of a call attempt.
REACHED = "reached"
NO_ANSWER = "no_answer"
BUSY = "busy"
WRONG_NUMBER = "wrong_number"
REFUSED = "refused"
CALLBACK = "callback"
OUTCOMES = (REACHED, NO_ANSWER, BUSY, WRONG_NUMBER, REFUSED, CALLBACK)
#: Outcomes a campaign's retry rule applies to (minutes until the next try, or None: give up).
RETRY_OUTCOMES = (NO_ANSWER, BUSY, WRONG_NUMBER)
DEFAULT_RETRY_RULES: dict[str, int | None] = {NO_ANSWER: 120, BUSY: 15, WRONG_NUMBER: None}


def within_hours(start: time, end: time, local: time) -> bool:
    """Tell whether ``local`` is in [start, end); a start after the end spans midnight.

    A start equal to the end means all day (e.g. 00:00-00:00).
    """
    if start == end:
        return True
    if start < end:
        return start <= local < end
    return local >= start or local < end


class Campaign(db.Model):
    """A call list: its orders are called within its calling hours, by priority."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    #: Higher first: a campaign's orders all come before those of lower campaigns.
    priority: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=3)
    #: Local (Belgian) wall-clock times; a start after the end spans midnight.
    calling_start: Mapped[time] = mapped_column(default=time(9, 0))
    calling_end: Mapped[time] = mapped_column(default=time(20, 0))
    active: Mapped[bool] = mapped_column(default=True)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)
    #: The call script agents follow; its current published version is started per call.
    script_id: Mapped[int | None] = mapped_column(ForeignKey("scripts.id", ondelete="SET NULL"))
    #: ``{outcome: minutes or null}`` for :data:`RETRY_OUTCOMES`; null gives up at once.
    retry_rules_json: Mapped[str] = mapped_column(
        Text, default=lambda: json.dumps(DEFAULT_RETRY_RULES)
    )
    #: How long after its time a same-agent callback stays reserved for that agent.
    callback_grace_minutes: Mapped[int] = mapped_column(default=30)
    #: Contacts named in a case's script become orders of the campaign marked so.
    receives_contacts: Mapped[bool] = mapped_column(default=False)
    #: How many live calls an agent may hold at once while holding one of this campaign
    #: (1: "Next call" shows the held call again; more for preview work).
    max_live_calls: Mapped[int] = mapped_column(default=1, server_default="1")

    orders: Mapped[list[CallOrder]] = relationship(back_populates="campaign")
    script: Mapped[Script | None] = relationship()

    @property
    def retry_rules(self) -> dict[str, int | None]:
        """The retry delay in minutes per retried outcome (None: not retried)."""
        stored = json.loads(self.retry_rules_json or "{}")
        return {
            outcome: stored.get(outcome, DEFAULT_RETRY_RULES[outcome]) for outcome in RETRY_OUTCOMES
        }

    def is_calling_time(self, local: time) -> bool:
        """Tell whether ``local`` (a local wall-clock time) is within the calling hours."""
        return within_hours(self.calling_start, self.calling_end, local)

    def __repr__(self) -> str:
        return f"<Campaign {self.id} {self.name!r}>"


class CallOrder(db.Model):
    """One person to call: queued, claimed by one agent under a lease, then done."""

    __tablename__ = "call_orders"
    __table_args__ = (
        UniqueConstraint("campaign_id", "external_id", name="uq_call_orders_campaign_external"),
        # "Next due call": filter on state and due time, then order by priority.
        Index("ix_call_orders_next_due", "state", "due_dt", "priority"),
        # An agent's live calls (counted by every "Next call"; the agent's home page).
        Index("ix_call_orders_claimed_by", "claimed_by_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    priority: Mapped[int] = mapped_column(default=0)
    #: Copy of the campaign's priority, kept in step by ``update_campaign``: the claim
    #: sorts on the order's own columns, without a join.
    campaign_priority: Mapped[int] = mapped_column(default=0)
    due_dt: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(20), default=QUEUED)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    claimed_dt: Mapped[datetime | None]
    lease_until_dt: Mapped[datetime | None]
    #: A callback for "the same agent": only this agent may claim it until ``reserved_until_dt``.
    reserved_for_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reserved_until_dt: Mapped[datetime | None]
    last_outcome: Mapped[str | None] = mapped_column(String(20))
    #: When the order was done or given up (not reached).
    closed_dt: Mapped[datetime | None]
    #: The person to call: their ticket holds the personal data (encrypted).
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL"), index=True
    )
    #: For a contact named by a case: the case's ticket.
    source_ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL")
    )
    #: Calls made for this order; set by the outcomes of calls, not by claiming.
    attempts: Mapped[int] = mapped_column(default=0)
    #: The order's identifier at the public-health institute, unique within a campaign.
    external_id: Mapped[str | None] = mapped_column(String(100))
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)

    campaign: Mapped[Campaign] = relationship(back_populates="orders")
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id])
    reserved_for: Mapped[User | None] = relationship(foreign_keys=[reserved_for_id])
    ticket: Mapped[Ticket | None] = relationship(foreign_keys=[ticket_id])
    call_attempts: Mapped[list[CallAttempt]] = relationship(
        back_populates="order", order_by="CallAttempt.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<CallOrder {self.id} c{self.campaign_id} {self.state}>"


class CallAttempt(db.Model):
    """One call made for an order, and how it ended."""

    __tablename__ = "call_attempts"
    __table_args__ = (Index("ix_call_attempts_ended_dt", "ended_dt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("call_orders.id", ondelete="CASCADE"), index=True
    )
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    outcome: Mapped[str] = mapped_column(String(20))
    #: The agent's note, encrypted like a ticket's personal data (it may name people).
    note_enc: Mapped[str | None] = mapped_column(Text)
    started_dt: Mapped[datetime]
    ended_dt: Mapped[datetime]
    callback_dt: Mapped[datetime | None]
    #: For a callback: anyone may call back (True) or only the same agent (False).
    callback_anyone: Mapped[bool] = mapped_column(default=False)
    #: From the telephony's call events (docs/telephony.md), when it reports them.
    ring_seconds: Mapped[int | None]
    talk_seconds: Mapped[int | None]

    order: Mapped[CallOrder] = relationship(back_populates="call_attempts")
    agent: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<CallAttempt {self.id} o{self.order_id} {self.outcome}>"
