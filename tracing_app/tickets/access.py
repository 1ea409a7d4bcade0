"""Who may open a ticket's personal data: supervision, escalation, assignment, or a grant.

An agent opens a ticket after a lookup that found it or a call that was given to them
(a grant for :data:`ACCESS_HOURS`), or when it is assigned to them; anything else is
refused (the views answer 404 and audit the attempt).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from content.auth.models import User, UserRole, utcnow
from content.extensions import db
from tracing_app.audit.operations import record
from tracing_app.tickets.models import Ticket, TicketAccess, TicketEscalation

#: How long a lookup lets the agent open what it found.
ACCESS_HOURS = 12
SUPERVISE = "calls.supervise"
SPECIALIST = "tickets.escalations"


def grant_access(
    user: User, ticket: Ticket, *, reason: str, hours: float | None = ACCESS_HOURS
) -> TicketAccess:
    """Let ``user`` open ``ticket`` for ``hours`` (None: no end); ``reason`` is a code."""
    expires = utcnow() + dt.timedelta(hours=hours) if hours is not None else None
    access = TicketAccess(user_id=user.id, ticket_id=ticket.id, reason=reason, expires_dt=expires)
    db.session.add(access)
    db.session.flush()
    return access


def assign(ticket: Ticket, user: User | None, *, actor: User | None) -> None:
    """Assign the ticket to an agent (who may then open it), audited."""
    ticket.assigned_to_id = user.id if user is not None else None
    ticket.updated_dt = utcnow()
    db.session.flush()
    record(
        "ticket.assign",
        actor=actor,
        subject_type="ticket",
        subject_id=ticket.reference,
        details={"assigned_to": f"user {user.id}" if user else "nobody"},
    )


def assignable_agents() -> list[User]:
    """Active accounts with the agent role, by name (for the assignment form)."""
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == "agent", User.is_active_account.is_(True))
            .order_by(User.display_name, User.id)
        )
    )


def may_open(user: User, ticket: Ticket) -> bool:
    """Tell whether a user may open a ticket's personal data (see :func:`access_reason`)."""
    return access_reason(user, ticket) is not None


def access_reason(user: User, ticket: Ticket) -> str | None:
    """Return why a user may open a ticket, or None when they may not.

    Supervisors: every ticket ("supervision"). Specialists: tickets escalated to them
    ("escalation"). Agents: a ticket assigned to them ("assignment"), or found by one of
    their lookups or granted otherwise within the last hours ("lookup", "call"…).
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if user.can(SUPERVISE):
        return "supervision"
    if user.can(SPECIALIST) and db.session.scalar(
        select(TicketEscalation.id).where(TicketEscalation.ticket_id == ticket.id).limit(1)
    ):
        return "escalation"
    if ticket.assigned_to_id is not None and ticket.assigned_to_id == user.id:
        return "assignment"
    now = utcnow()
    return db.session.scalar(
        select(TicketAccess.reason)
        .where(TicketAccess.user_id == user.id, TicketAccess.ticket_id == ticket.id)
        .where((TicketAccess.expires_dt.is_(None)) | (TicketAccess.expires_dt > now))
        .order_by(TicketAccess.granted_dt.desc())
        .limit(1)
    )
