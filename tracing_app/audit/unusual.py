"""Unusual activity: accounts that looked tickets up or claimed calls more than usual.

A script or an insider who drains the queue or reads ticket after ticket shows as many
``ticket.search`` (lookups) or ``calls.claim`` (claims by "Next call") entries of one
account within one hour. The thresholds are settings (docs/configuration.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import case, func, select

from content.extensions import db
from tracing_app.audit.models import AuditEntry

#: The watched audit actions and the setting holding each one's hourly threshold.
THRESHOLD_SETTINGS = {
    "ticket.search": "AUDIT_UNUSUAL_LOOKUPS_PER_HOUR",
    "calls.claim": "AUDIT_UNUSUAL_CLAIMS_PER_HOUR",
}


@dataclass(frozen=True)
class UnusualHour:
    """One account's count of one watched action within one clock hour (UTC), over its limit."""

    actor_id: int | None
    actor_label: str
    action: str
    hour_dt: dt.datetime
    count: int
    threshold: int


def thresholds() -> dict[str, int]:
    """Return the hourly threshold of each watched action, from the settings."""
    return {action: int(current_app.config[name]) for action, name in THRESHOLD_SETTINGS.items()}


def _hour_of(column):
    if db.engine.dialect.name == "postgresql":
        return func.date_trunc("hour", column)
    return func.strftime("%Y-%m-%d %H:00:00", column)


def _as_datetime(value) -> dt.datetime:
    if isinstance(value, str):  # SQLite's strftime
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.UTC)


def unusual_hours(*, now: dt.datetime, hours: int) -> list[UnusualHour]:
    """Return the hours of the last ``hours`` in which an account went over a threshold.

    Busiest first. One grouped query over the ``(action, created_dt)`` index.
    """
    limits = thresholds()
    hour = _hour_of(AuditEntry.created_dt).label("hour")
    count = func.count(AuditEntry.id).label("count")
    rows = db.session.execute(
        select(AuditEntry.actor_id, AuditEntry.actor_label, AuditEntry.action, hour, count)
        .where(
            AuditEntry.action.in_(limits),
            AuditEntry.created_dt >= now - dt.timedelta(hours=hours),
        )
        .group_by(AuditEntry.actor_id, AuditEntry.actor_label, AuditEntry.action, hour)
        .having(func.count(AuditEntry.id) > case(limits, value=AuditEntry.action))
        .order_by(count.desc(), AuditEntry.actor_label)
    ).all()
    return [
        UnusualHour(
            actor_id=row.actor_id,
            actor_label=row.actor_label,
            action=row.action,
            hour_dt=_as_datetime(row.hour),
            count=row.count,
            threshold=limits[row.action],
        )
        for row in rows
    ]
