"""Figures of the supervisor's dashboard: queues, outcomes today, calls per hour, agents.

"Today" and hours are Belgian local time (``BABEL_DEFAULT_TIMEZONE``). Counts are done in
the database; calls per hour are bucketed in Python from today's attempts (a few
thousand rows at most), which keeps the query the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from content.extensions import db
from tracing_app.calls.models import (
    CALLBACK,
    CLAIMED,
    DONE,
    NOT_REACHED,
    OUTCOMES,
    QUEUED,
    CallAttempt,
    CallOrder,
    Campaign,
)

#: An agent counts as active with a call recorded or held within this time.
ACTIVE_WINDOW = timedelta(minutes=30)


@dataclass
class QueueRow:
    """Orders of one campaign by state; ``due`` are queued orders callable now."""

    campaign: Campaign
    due: int = 0
    later: int = 0
    claimed: int = 0
    done: int = 0
    not_reached: int = 0


@dataclass
class Dashboard:
    """Everything the dashboard shows, as of ``now``."""

    now: datetime
    queues: list[QueueRow]
    outcomes_today: dict[str, int]
    calls_per_hour: list[int]  # 24 local hours
    agents_active: int
    callbacks_due: list[CallOrder] = field(default_factory=list)

    @property
    def calls_today(self) -> int:
        """Attempts recorded today."""
        return sum(self.outcomes_today.values())


def local_day_start(now: datetime) -> datetime:
    """Return the start of ``now``'s local day, as an aware datetime."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    local = now.astimezone(zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def dashboard(*, now: datetime, callbacks_ahead: timedelta = timedelta(hours=2)) -> Dashboard:
    """Compute the dashboard's figures at ``now``."""
    return Dashboard(
        now=now,
        queues=queue_sizes(now=now),
        outcomes_today=outcomes_today(now=now),
        calls_per_hour=calls_per_hour(now=now),
        agents_active=agents_active(now=now),
        callbacks_due=callbacks_due(now=now, ahead=callbacks_ahead),
    )


def queue_sizes(*, now: datetime) -> list[QueueRow]:
    """Return per campaign the number of orders due now, later, claimed, done, not reached."""
    rows = {c.id: QueueRow(c) for c in db.session.scalars(select(Campaign).order_by(Campaign.name))}
    due_now = CallOrder.due_dt <= now
    counts = db.session.execute(
        select(CallOrder.campaign_id, CallOrder.state, due_now.label("due"), func.count()).group_by(
            CallOrder.campaign_id, CallOrder.state, due_now
        )
    )
    for campaign_id, state, is_due, count in counts:
        row = rows[campaign_id]
        if state == QUEUED:
            if is_due:
                row.due += count
            else:
                row.later += count
        elif state == CLAIMED:
            row.claimed += count
        elif state == DONE:
            row.done += count
        elif state == NOT_REACHED:
            row.not_reached += count
    return sorted(rows.values(), key=lambda r: (-r.campaign.priority, r.campaign.name))


def _attempts_since(start: datetime, end: datetime):
    return (CallAttempt.ended_dt >= start, CallAttempt.ended_dt < end)


def outcomes_today(*, now: datetime) -> dict[str, int]:
    """Return the number of attempts per outcome since the start of the local day."""
    start = local_day_start(now)
    found = dict(
        db.session.execute(
            select(CallAttempt.outcome, func.count())
            .where(*_attempts_since(start, start + timedelta(days=1)))
            .group_by(CallAttempt.outcome)
        ).all()
    )
    return {outcome: found.get(outcome, 0) for outcome in OUTCOMES}


def calls_per_hour(*, now: datetime) -> list[int]:
    """Return the attempts of each local hour of today (24 numbers)."""
    start = local_day_start(now)
    zone = start.tzinfo
    hours = [0] * 24
    for ended in db.session.scalars(
        select(CallAttempt.ended_dt).where(*_attempts_since(start, start + timedelta(days=1)))
    ):
        hours[ended.astimezone(zone).hour] += 1
    return hours


def agents_active(*, now: datetime) -> int:
    """Return how many agents recorded a call or hold a live claim within the window."""
    recent = set(
        db.session.scalars(
            select(CallAttempt.agent_id)
            .where(CallAttempt.ended_dt >= now - ACTIVE_WINDOW, CallAttempt.agent_id.is_not(None))
            .distinct()
        )
    )
    holding = set(
        db.session.scalars(
            select(CallOrder.claimed_by_id)
            .where(CallOrder.state == CLAIMED, CallOrder.lease_until_dt > now)
            .distinct()
        )
    )
    return len((recent | holding) - {None})


def callbacks_due(*, now: datetime, ahead: timedelta) -> list[CallOrder]:
    """Return the queued callbacks due before ``now + ahead`` (overdue ones first)."""
    return list(
        db.session.scalars(
            select(CallOrder)
            .where(
                CallOrder.state == QUEUED,
                CallOrder.last_outcome == CALLBACK,
                CallOrder.due_dt <= now + ahead,
            )
            .order_by(CallOrder.due_dt)
            .limit(200)
        )
    )


def chart_bars(values: list[int], *, width: int = 480, height: int = 160) -> dict:
    """Return the geometry of a bar chart of ``values`` for an inline SVG (no JavaScript)."""
    top = max(values) if values and max(values) > 0 else 1
    slot = width / max(len(values), 1)
    bars = []
    for index, value in enumerate(values):
        bar_height = round(value / top * (height - 20), 1)
        bars.append(
            {
                "x": round(index * slot + 2, 1),
                "y": round(height - 16 - bar_height, 1),
                "width": round(slot - 4, 1),
                "height": bar_height,
                "value": value,
                "label": index,
                "label_x": round(index * slot + slot / 2, 1),
            }
        )
    return {"width": width, "height": height, "bars": bars, "max": top}


def chart_rows(items: list[tuple[str, int]], *, width: int = 480, row: int = 24) -> dict:
    """Return the geometry of a horizontal bar chart of labelled values (inline SVG).

    The labels sit in the left third; bars take the rest, scaled to the largest value.
    """
    top = max((value for _, value in items), default=0) or 1
    label_width = width // 3
    span = width - label_width - 40
    rows = [
        {
            "label": label,
            "value": value,
            "y": index * row,
            "text_y": index * row + row * 0.65,
            "x": label_width,
            "width": round(value / top * span, 1),
            "value_x": round(label_width + value / top * span + 4, 1),
        }
        for index, (label, value) in enumerate(items)
    ]
    return {"width": width, "height": row * len(items), "rows": rows, "label_x": label_width - 6}
