"""Who may open a ticket's personal data: supervision, escalation, assignment, a call, a grant.

An agent opens a ticket while they hold a live call for it (claimed, lease not expired:
releasing it, saving an outcome or the lease's end closes the ticket again), after a
lookup that found it (a grant for :data:`ACCESS_HOURS`), or when it is assigned to them;
anything else is refused: :func:`open_ticket_or_404` answers 404 and audits the attempt,
the same for a ticket that exists and one that does not.
"""

from __future__ import annotations

import datetime as dt

from flask import abort
from sqlalchemy import select

from content.auth.models import User, UserRole, utcnow
from content.extensions import db
from tracing_app.audit.operations import record
from tracing_app.calls.models import CLAIMED, CallOrder
from tracing_app.tickets.models import Ticket, TicketAccess, TicketEscalation
from tracing_app.tickets.reference import InvalidReferenceError, normalize_reference

#: How long a lookup lets the agent open what it found.
ACCESS_HOURS = 12
SUPERVISE = "calls.supervise"
SPECIALIST = "tickets.escalations"
#: The reason of an agent who holds a live call for the ticket.
CALL = "call"


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
    ("escalation"). Agents: a ticket assigned to them ("assignment"), the ticket of a call
    they hold now ("call"), or found by one of their lookups within the last hours
    ("lookup"…).
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
    if db.session.scalar(
        select(CallOrder.id)
        .where(
            CallOrder.ticket_id == ticket.id,
            CallOrder.state == CLAIMED,
            CallOrder.claimed_by_id == user.id,
            CallOrder.lease_until_dt > now,
        )
        .limit(1)
    ):
        return CALL
    return db.session.scalar(
        select(TicketAccess.reason)
        .where(TicketAccess.user_id == user.id, TicketAccess.ticket_id == ticket.id)
        .where((TicketAccess.expires_dt.is_(None)) | (TicketAccess.expires_dt > now))
        .order_by(TicketAccess.granted_dt.desc())
        .limit(1)
    )


def open_ticket_or_404(reference: str, user: User) -> tuple[Ticket, str]:
    """Return the ticket named by ``reference`` and why ``user`` may open it.

    Otherwise end the request with 404, the same for a ticket that exists and one that
    does not (no reference oracle), after auditing the attempt (``ticket.open_denied``).
    The session's pending changes are rolled back first; the audit entry is committed.
    """
    try:
        normalized = normalize_reference(reference)
    except InvalidReferenceError:
        normalized = None
    ticket = None
    if normalized is not None:
        ticket = db.session.scalar(select(Ticket).where(Ticket.reference == normalized))
    reason = access_reason(user, ticket) if ticket is not None else None
    if reason is None:
        db.session.rollback()
        # Never the raw URL text in the log: it may be anything a user typed.
        record(
            "ticket.open_denied",
            actor=user,
            subject_type="ticket",
            subject_id=normalized or "invalid",
            details={"exists": ticket is not None},
        )
        db.session.commit()
        abort(404)
    return ticket, reason
