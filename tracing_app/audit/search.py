"""Reading the audit log for supervisors: filters and pages (newest first)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from content.extensions import db
from tracing_app.audit.models import AuditEntry

PAGE_SIZE = 50


@dataclass
class AuditFilter:
    """What to show: every field is optional (None: no filter)."""

    actor_id: int | None = None
    subject_id: str | None = None
    action: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def search_entries(
    where: AuditFilter, *, page: int = 1, page_size: int = PAGE_SIZE
) -> tuple[list[AuditEntry], bool]:
    """Return one page of entries (newest first) and whether a next page exists.

    Dates are UTC days, both ends included.
    """
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if where.actor_id is not None:
        query = query.where(AuditEntry.actor_id == where.actor_id)
    if where.subject_id:
        query = query.where(AuditEntry.subject_id == where.subject_id)
    if where.action:
        query = query.where(AuditEntry.action == where.action)
    if where.date_from:
        query = query.where(AuditEntry.created_dt >= _start_of(where.date_from))
    if where.date_to:
        query = query.where(AuditEntry.created_dt < _start_of(where.date_to + dt.timedelta(days=1)))
    page = max(page, 1)
    rows = list(db.session.scalars(query.limit(page_size + 1).offset((page - 1) * page_size)))
    return rows[:page_size], len(rows) > page_size


def known_actions() -> list[str]:
    """Every action that occurs in the log, sorted (for the filter's choices)."""
    return sorted(db.session.scalars(select(AuditEntry.action).distinct()))
