"""Place and release legal holds (audited): a held ticket is never purged."""

from __future__ import annotations

from sqlalchemy import exists, select

from content.auth.models import User, utcnow
from content.extensions import db
from tracing_app.audit.operations import record
from tracing_app.retention.models import LegalHold
from tracing_app.tickets.models import Ticket

MAX_REASON = 500


class HoldError(ValueError):
    """The hold cannot be placed or released (no reason, already held, not held, purged)."""


def active_hold(ticket: Ticket) -> LegalHold | None:
    """Return the ticket's active hold, if any."""
    return db.session.scalar(
        select(LegalHold).where(LegalHold.ticket_id == ticket.id, LegalHold.released_dt.is_(None))
    )


def held(ticket_id_column):
    """SQL: the ticket of this column is on an active hold."""
    return exists().where(LegalHold.ticket_id == ticket_id_column, LegalHold.released_dt.is_(None))


def place_hold(ticket: Ticket, reason: str, *, actor: User | None) -> LegalHold:
    """Put a ticket on hold (flushed, audited as ``ticket.legal_hold``).

    :raise HoldError: no reason, a reason too long, already on hold, or already purged.
    :raise PersonalDataError: the reason looks like personal data (audit rule).
    """
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise HoldError("a reason of at most 500 characters is required")
    if ticket.purged_dt is not None:
        raise HoldError("the ticket's personal data was already purged")
    if active_hold(ticket) is not None:
        raise HoldError("the ticket is already on hold")
    # Audit first: a reason refused as personal data leaves no hold behind.
    record(
        "ticket.legal_hold",
        actor=actor,
        subject_type="ticket",
        subject_id=ticket.reference,
        reason=reason,
    )
    hold = LegalHold(ticket_id=ticket.id, reason=reason, placed_by_id=actor.id if actor else None)
    db.session.add(hold)
    db.session.flush()
    return hold


def release_hold(ticket: Ticket, *, actor: User | None) -> LegalHold:
    """Release a ticket's hold (audited as ``ticket.legal_hold_release``).

    :raise HoldError: the ticket is not on hold.
    """
    hold = active_hold(ticket)
    if hold is None:
        raise HoldError("the ticket is not on hold")
    hold.released_dt = utcnow()
    hold.released_by_id = actor.id if actor else None
    db.session.flush()
    record(
        "ticket.legal_hold_release",
        actor=actor,
        subject_type="ticket",
        subject_id=ticket.reference,
    )
    return hold
