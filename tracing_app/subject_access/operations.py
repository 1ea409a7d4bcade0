"""Collect what the centre holds about the person of a ticket, and audit each export.

The export is one dict: the ticket's plain facts, the personal data, the script answers,
the call attempts (with notes), the escalations, the documents issued and every access
recorded in the audit log (who, when, why). Keys are stable English names for machines;
:mod:`.render` adds the labels in the citizen's language. See docs/subject-access.md.
"""

from __future__ import annotations

import json

from sqlalchemy import select

from content.auth.models import User, utcnow
from content.extensions import db
from tracing_app.audit.models import AuditEntry
from tracing_app.audit.operations import record
from tracing_app.documents.models import TicketDocument
from tracing_app.scripts import operations as scripts
from tracing_app.scripts.models import FormResponse
from tracing_app.tickets import escalations, summaries
from tracing_app.tickets.models import ENCRYPTED_FIELDS, Ticket, TicketEscalation
from tracing_app.tickets.operations import decrypt_ticket, plain

FORMATS = ("pdf", "json")


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _script_answers(response: FormResponse | None, language: str) -> list[dict]:
    """The form's non-empty answers in form order, with each question's label in ``language``."""
    if response is None:
        return []
    answers = scripts.answers(response)
    form = scripts.definition(response.script_version)
    listed = []
    for question in form.walk():
        value = answers.get(question.name)
        if value and not question.is_group:
            label = form.text(question.label, language) or question.name
            listed.append({"name": question.name, "label": label, "value": value})
    return listed


def collect(ticket: Ticket) -> dict:
    """Return everything the export holds (decrypted in memory; the caller audits)."""
    person = decrypt_ticket(ticket)
    response = (
        db.session.get(FormResponse, ticket.script_response_id)
        if ticket.script_response_id
        else None
    )
    return {
        "ticket": {
            "reference": ticket.reference,
            "status": ticket.status,
            "language": ticket.language,
            "created_dt": _iso(ticket.created_dt),
            "closed_dt": _iso(ticket.closed_dt),
        },
        "personal_data": {field: plain(person, field) for field in ENCRYPTED_FIELDS},
        "script_answers": _script_answers(response, ticket.language),
        "call_attempts": [
            {
                "started_dt": _iso(attempt["started_dt"]),
                "outcome": attempt["outcome"],
                "note": attempt["note"],
            }
            for attempt in summaries.attempts_with_notes(ticket, limit=1000)
        ],
        "escalations": [
            {
                "created_dt": _iso(escalation.created_dt),
                "question": escalations.text_of(escalation, "note"),
                "answer": escalations.text_of(escalation, "answer"),
            }
            for escalation in db.session.scalars(
                select(TicketEscalation)
                .where(TicketEscalation.ticket_id == ticket.id)
                .order_by(TicketEscalation.id)
            )
        ],
        "documents": [
            {
                "kind": document.kind,
                "issued_dt": _iso(document.issued_dt),
                "valid_from": _iso(document.valid_from),
                "valid_until": _iso(document.valid_until),
                "test_date": _iso(document.test_date),
                "revoked_dt": _iso(document.revoked_dt),
            }
            for document in db.session.scalars(
                select(TicketDocument)
                .where(TicketDocument.ticket_id == ticket.id)
                .order_by(TicketDocument.id)
            )
        ],
        "accesses": [
            {
                "when": _iso(entry.created_dt),
                "who": entry.actor_label,
                "action": entry.action,
                "why": entry.reason,
            }
            for entry in db.session.scalars(
                select(AuditEntry)
                .where(
                    AuditEntry.subject_type == "ticket", AuditEntry.subject_id == ticket.reference
                )
                .order_by(AuditEntry.id)
            )
        ],
        "produced_dt": _iso(utcnow()),
    }


def export(ticket: Ticket, fmt: str, *, actor: User | None) -> dict:
    """Collect the export and audit it as ``ticket.subject_access`` (format only, no values).

    :raise ValueError: unknown format.
    """
    if fmt not in FORMATS:
        raise ValueError("unknown export format")
    data = collect(ticket)
    record(
        "ticket.subject_access",
        actor=actor,
        subject_type="ticket",
        subject_id=ticket.reference,
        reason="GDPR art. 15",
        details={"format": fmt},
    )
    return data


def to_json(data: dict) -> bytes:
    """The export as a JSON document (UTF-8, stable key order)."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
