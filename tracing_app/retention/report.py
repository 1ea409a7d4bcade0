"""``tracing-app retention report``: per kind, what a purge would erase now and when next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select

from content.auth.models import utcnow
from content.extensions import db
from tracing_app.retention import policy, selection
from tracing_app.tickets.models import Ticket


@dataclass(frozen=True)
class KindReport:
    """What the purge would do for one kind: how many are due now, and the next due date."""

    kind: str
    days: int | None
    due: int
    #: Tickets only: when the next closed ticket expires (None: none waiting, or kept).
    next_due_dt: datetime | None = None


def _next_ticket_due(days: int, cutoff: datetime) -> datetime | None:
    first = db.session.scalar(
        select(func.min(Ticket.closed_dt)).where(
            and_(selection.waiting_tickets(), Ticket.closed_dt >= cutoff)
        )
    )
    return None if first is None else first + timedelta(days=days)


def report(now: datetime | None = None) -> list[KindReport]:
    """Say, per kind, how much the purge would erase now and when the next one is due.

    :raise RetentionConfigError: ``RETENTION_DAYS`` is malformed.
    """
    now = now or utcnow()
    days = policy.periods()
    reports = []
    for kind in policy.KINDS:
        cutoff = policy.cutoff(kind, now)
        if cutoff is None:
            reports.append(KindReport(kind, None, 0))
            continue
        count = db.session.scalar(
            select(func.count()).select_from(selection.due(kind, cutoff).subquery())
        )
        next_due = _next_ticket_due(days[kind], cutoff) if kind == policy.TICKETS else None
        reports.append(KindReport(kind, days[kind], count, next_due))
    return reports
