"""What has expired, as SQL: one query of ids per kind, shared by the report and the purge."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, and_, not_, or_, select

from tracing_app.calls.models import CallAttempt, CallOrder
from tracing_app.documents.models import TicketDocument
from tracing_app.exchange.changes import ExchangeChange
from tracing_app.retention import policy
from tracing_app.retention.holds import held
from tracing_app.tickets.models import CLOSED, Ticket


def expired_tickets(cutoff: datetime):
    """SQL: tickets closed before the cutoff and not on hold (purged or not)."""
    return and_(Ticket.status == CLOSED, Ticket.closed_dt < cutoff, not_(held(Ticket.id)))


def waiting_tickets():
    """SQL: closed tickets not purged yet and not on hold (the next ones to expire)."""
    return and_(Ticket.status == CLOSED, Ticket.purged_dt.is_(None), not_(held(Ticket.id)))


def orders_of(ticket_ids) -> Select:
    """The call orders of these tickets (as the called person or as the case of a contact)."""
    return select(CallOrder.id).where(
        or_(CallOrder.ticket_id.in_(ticket_ids), CallOrder.source_ticket_id.in_(ticket_ids))
    )


def due(kind: str, cutoff: datetime) -> Select:
    """The ids a purge of ``kind`` erases at ``cutoff`` (first column: the id to page on)."""
    expired = select(Ticket.id).where(expired_tickets(cutoff))
    if kind == policy.TICKETS:
        return select(Ticket.id).where(expired_tickets(cutoff), Ticket.purged_dt.is_(None))
    if kind == policy.CALL_ATTEMPTS:
        return select(CallAttempt.id).where(
            CallAttempt.note_enc.is_not(None), CallAttempt.order_id.in_(orders_of(expired))
        )
    if kind == policy.DOCUMENTS:
        return select(TicketDocument.id).where(TicketDocument.ticket_id.in_(expired))
    if kind == policy.EXCHANGE_FEED:
        return select(ExchangeChange.id).where(ExchangeChange.changed_dt < cutoff)
    raise ValueError(f"nothing is purged of {kind}")
