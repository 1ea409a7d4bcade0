"""Escalations: an agent asks the specialists about a ticket; one takes it and answers.

The note and the answer are free text about a person: encrypted like the ticket's data,
bound to ``ticket_escalations:<id>:note`` and ``…:answer``. Taking is a conditional update
(``WHERE state = 'open'``), so two specialists never take the same escalation.
"""

from __future__ import annotations

from sqlalchemy import select, update

from content.auth.models import User, utcnow
from content.extensions import db
from content.i18n import _
from tracing_app.audit.operations import record
from tracing_app.protection.crypto import context_for, decrypt, encrypt
from tracing_app.protection.keyring import current_key_ring
from tracing_app.protection.registry import EncryptedTable, register_encrypted_table
from tracing_app.tickets import operations
from tracing_app.tickets.models import (
    CLOSED,
    ESCALATED,
    ESCALATION_ANSWERED,
    ESCALATION_OPEN,
    ESCALATION_TAKEN,
    IN_PROGRESS,
    Ticket,
    TicketEscalation,
)

TABLE = "ticket_escalations"
#: Encrypted columns: value name -> column.
COLUMNS = {"note": "note_enc", "answer": "answer_enc"}


register_encrypted_table(
    EncryptedTable(TicketEscalation.__table__, COLUMNS)  # key rotation re-encrypts them
)


class EscalationError(Exception):
    """The escalation is not in a state that allows this (message for the user)."""


def _encrypt(escalation: TicketEscalation, name: str, text: str) -> None:
    context = context_for(TABLE, escalation.id, name)
    setattr(escalation, COLUMNS[name], encrypt(text, context=context, key_ring=current_key_ring()))


def text_of(escalation: TicketEscalation, name: str) -> str | None:
    """Return the note or the answer in clear (the caller audits the ticket view)."""
    context = context_for(TABLE, escalation.id, name)
    return decrypt(getattr(escalation, COLUMNS[name]), context=context, key_ring=current_key_ring())


def escalate(ticket: Ticket, note: str, *, actor: User) -> TicketEscalation:
    """Put the ticket in the specialists' queue with the agent's question."""
    escalation = TicketEscalation(ticket_id=ticket.id, created_by_id=actor.id)
    db.session.add(escalation)
    db.session.flush()
    _encrypt(escalation, "note", note.strip())
    operations.set_status(ticket, ESCALATED, actor=actor)
    record(
        "ticket.escalate",
        actor=actor,
        subject_type="ticket",
        subject_id=ticket.reference,
        details={"escalation": escalation.id},
    )
    return escalation


def take(escalation: TicketEscalation, *, specialist: User) -> None:
    """Take an open escalation; refused when someone else took it first."""
    taken = db.session.execute(
        update(TicketEscalation)
        .where(TicketEscalation.id == escalation.id, TicketEscalation.state == ESCALATION_OPEN)
        .values(state=ESCALATION_TAKEN, taken_by_id=specialist.id, taken_dt=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        db.session.refresh(escalation)
        raise EscalationError(_("Another specialist has already taken this question."))
    db.session.refresh(escalation)
    record(
        "ticket.escalation_take",
        actor=specialist,
        subject_type="ticket",
        subject_id=escalation.ticket.reference,
        details={"escalation": escalation.id},
    )


def answer(
    escalation: TicketEscalation, text: str, *, specialist: User, ticket_status: str = IN_PROGRESS
) -> None:
    """Answer and resolve an escalation taken by this specialist; the ticket's status moves on."""
    if escalation.state == ESCALATION_OPEN:
        take(escalation, specialist=specialist)
    if escalation.state != ESCALATION_TAKEN or escalation.taken_by_id != specialist.id:
        raise EscalationError(_("Only the specialist who took this question can answer it."))
    if ticket_status not in (IN_PROGRESS, CLOSED):
        raise ValueError("an answered ticket goes back to the agents or is closed")
    _encrypt(escalation, "answer", text.strip())
    escalation.state = ESCALATION_ANSWERED
    escalation.answered_dt = utcnow()
    db.session.flush()
    ticket = escalation.ticket
    if not open_escalations_of(ticket):
        operations.set_status(ticket, ticket_status, actor=specialist)
    record(
        "ticket.escalation_answer",
        actor=specialist,
        subject_type="ticket",
        subject_id=ticket.reference,
        details={"escalation": escalation.id, "status": ticket.status},
    )


def queue() -> list[TicketEscalation]:
    """Open escalations, oldest first: the specialists' queue."""
    return list(
        db.session.scalars(
            select(TicketEscalation)
            .where(TicketEscalation.state == ESCALATION_OPEN)
            .order_by(TicketEscalation.created_dt, TicketEscalation.id)
        )
    )


def taken_by(specialist: User) -> list[TicketEscalation]:
    """Escalations this specialist took and has not answered yet."""
    return list(
        db.session.scalars(
            select(TicketEscalation)
            .where(
                TicketEscalation.state == ESCALATION_TAKEN,
                TicketEscalation.taken_by_id == specialist.id,
            )
            .order_by(TicketEscalation.taken_dt)
        )
    )


def created_by(agent: User, limit: int = 50) -> list[TicketEscalation]:
    """The agent's own escalations, newest first, with their state (answers included)."""
    return list(
        db.session.scalars(
            select(TicketEscalation)
            .where(TicketEscalation.created_by_id == agent.id)
            .order_by(TicketEscalation.created_dt.desc(), TicketEscalation.id.desc())
            .limit(limit)
        )
    )


def of_ticket(ticket: Ticket) -> list[TicketEscalation]:
    """Every escalation of a ticket, oldest first."""
    return list(
        db.session.scalars(
            select(TicketEscalation)
            .where(TicketEscalation.ticket_id == ticket.id)
            .order_by(TicketEscalation.created_dt, TicketEscalation.id)
        )
    )


def open_escalations_of(ticket: Ticket) -> list[TicketEscalation]:
    """Escalations of the ticket not answered yet."""
    return [e for e in of_ticket(ticket) if e.state != ESCALATION_ANSWERED]
