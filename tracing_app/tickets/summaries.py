"""What is shown of a ticket before it is opened, and its call attempts."""

from __future__ import annotations

import functools

from sqlalchemy import bindparam, select

from content.extensions import db
from tracing_app.calls.models import CallAttempt, CallOrder
from tracing_app.calls.notes import decrypt_note
from tracing_app.tickets.models import Ticket
from tracing_app.tickets.operations import PersonData, decrypt_ticket, plain

#: Attempts shown in a summary, latest first.
ATTEMPTS_SHOWN = 5


def ticket_summary(
    ticket: Ticket, person: PersonData | None = None, attempts: list[CallAttempt] | None = None
) -> dict:
    """The minimum shown before dialling or in lookup results: no full personal data.

    Keys: reference, status, language, first_name ("An P."), attempts (latest first,
    dicts with outcome, started_dt, note presence, when the calls table has them).

    :param person: the ticket's data when the caller has already decrypted it (e.g. with
        :func:`person_data`), so it is not decrypted twice.
    :param attempts: every attempt of the ticket's orders when the caller has read them
        (:func:`ticket_attempts`), so they are not read twice.
    """
    person = person if person is not None else decrypt_ticket(ticket)
    first = plain(person, "first_name") or ""
    last = plain(person, "last_name") or ""
    shown = " ".join(part for part in (first, f"{last[0]}." if last else "") if part)
    return {
        "reference": ticket.reference,
        "status": ticket.status,
        "language": ticket.language,
        "first_name": shown,
        "attempts": [
            {key: value for key, value in attempt.items() if key != "note_enc"}
            for attempt in (
                last_attempts(ticket) if attempts is None else _latest(attempts, ATTEMPTS_SHOWN)
            )
        ],
    }


def last_attempts(ticket: Ticket, limit: int = ATTEMPTS_SHOWN) -> list[dict]:
    """Return the latest call attempts of the ticket's call orders (notes still encrypted)."""
    rows = db.session.scalars(
        select(CallAttempt)
        .join(CallOrder, CallOrder.id == CallAttempt.order_id)
        .where(CallOrder.ticket_id == ticket.id)
        .order_by(CallAttempt.started_dt.desc())
        .limit(limit)
    )
    return [_attempt(row) for row in rows]


def ticket_attempts(ticket: Ticket) -> list[CallAttempt]:
    """Return every attempt of the ticket's call orders, oldest first (a few per order).

    The call desktop shows the order's own attempts and the ticket's latest from this one
    read.
    """
    return list(db.session.scalars(_ticket_attempts_query(), {"ticket_id": ticket.id}))


@functools.cache
def _ticket_attempts_query():
    # Built once per process (docs/performance.md, "Statements kept per process").
    return (
        select(CallAttempt)
        .join(CallOrder, CallOrder.id == CallAttempt.order_id)
        .where(CallOrder.ticket_id == bindparam("ticket_id"))
        .order_by(CallAttempt.id)
    )


def _latest(attempts: list[CallAttempt], limit: int) -> list[dict]:
    newest_first = sorted(attempts, key=lambda row: row.started_dt, reverse=True)
    return [_attempt(row) for row in newest_first[:limit]]


def _attempt(row: CallAttempt) -> dict:
    return {
        "id": row.id,
        "outcome": row.outcome,
        "started_dt": row.started_dt,
        "agent_id": row.agent_id,
        "callback_dt": row.callback_dt,
        "note_enc": row.note_enc,
    }


def attempts_with_notes(ticket: Ticket, limit: int = 20) -> list[dict]:
    """The ticket's attempts with the agents' notes decrypted (for the ticket page only)."""
    attempts = last_attempts(ticket, limit)
    for attempt in attempts:
        token = attempt.pop("note_enc")
        attempt["note"] = decrypt_note(attempt["id"], token) if token else None
    return attempts
