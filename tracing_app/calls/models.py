"""Campaigns and their call orders, the rows agents claim."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.auth.models import User, utcnow
from content.extensions import db

QUEUED = "queued"
CLAIMED = "claimed"
DONE = "done"
CANCELLED = "cancelled"
ORDER_STATES = (QUEUED, CLAIMED, DONE, CANCELLED)


def within_hours(start: time, end: time, local: time) -> bool:
    """Tell whether ``local`` is in [start, end); a start after the end spans midnight."""
    if start <= end:
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

    orders: Mapped[list[CallOrder]] = relationship(back_populates="campaign")

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
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    priority: Mapped[int] = mapped_column(default=0)
    due_dt: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(20), default=QUEUED)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    lease_until_dt: Mapped[datetime | None]
    #: Calls made for this order; set by the outcomes of calls, not by claiming.
    attempts: Mapped[int] = mapped_column(default=0)
    #: The order's identifier at the public-health institute, unique within a campaign.
    external_id: Mapped[str | None] = mapped_column(String(100))
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)

    campaign: Mapped[Campaign] = relationship(back_populates="orders")
    claimed_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<CallOrder {self.id} c{self.campaign_id} {self.state}>"
