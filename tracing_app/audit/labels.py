"""What people read for the codes the audit log stores: actions, reasons, details.

The log keeps codes (``ticket.view``, reason ``supervision``, ``{"fields": ["first_name"]}``)
so that it can be searched and verified; screens show them in the reader's language
through these functions. An unknown code is shown as it is (the log never hides a row).
"""

from __future__ import annotations

import json

from content.i18n import _, _l

ACTION_LABELS = {
    "ticket.create": _l("created"),
    "ticket.link": _l("linked to an import or a call"),
    "ticket.view": _l("opened"),
    "ticket.found": _l("found by a search"),
    "ticket.search": _l("searched"),
    "ticket.open_denied": _l("opening refused"),
    "ticket.change": _l("changed"),
    "ticket.assign": _l("assigned"),
    "ticket.contact": _l("inbound contact"),
    "ticket.script_handover": _l("script handed over"),
    "ticket.escalate": _l("escalated"),
    "ticket.escalation_take": _l("question taken by a specialist"),
    "ticket.escalation_answer": _l("question answered"),
    "document.issued": _l("document issued"),
    "document.printed": _l("document printed"),
    "document.reprinted": _l("document printed again"),
    "document.revoked": _l("document revoked"),
    "calls.import": _l("calls imported"),
    "calls.contacts": _l("contacts queued"),
    "calls.contacts_ordered": _l("contacts queued"),
    "calls.outcome": _l("call outcome recorded"),
    "calls.requeue": _l("call queued again"),
    "api.call": _l("API request"),
    "api_client.create": _l("API client created"),
    "api_client.revoke": _l("API client revoked"),
    "exchange.export": _l("data exported"),
    "keys.rotate": _l("data keys rotated"),
    "keys.retire": _l("data key retired"),
}

#: Why someone read personal data (``reason`` of a log row); lookups keep the typed text.
REASON_LABELS = {
    "supervision": _l("supervision"),
    "escalation": _l("escalation"),
    "assignment": _l("assignment"),
    "lookup": _l("lookup"),
    "call": _l("a call you took"),
    "edit": _l("editing the ticket"),
    "edit conflict": _l("an edit conflict"),
    "document issue": _l("issuing a document"),
    "document print": _l("printing a document"),
}

DETAIL_LABELS = {
    "fields": _l("fields"),
    "source": _l("source"),
    "by": _l("matched by"),
    "status": _l("status"),
    "escalation": _l("question"),
    "document_id": _l("document"),
    "kind": _l("kind"),
    "criteria": _l("searched by"),
    "results": _l("results"),
    "assigned_to": _l("assigned to"),
    "from": _l("before"),
    "direction": _l("direction"),
    "script": _l("script"),
    "outcome": _l("outcome"),
    "attempt": _l("attempt"),
    "state": _l("state"),
    "orders": _l("calls"),
    "contacts": _l("contacts"),
    "records": _l("records"),
    "format": _l("format"),
    "scopes": _l("rights"),
    "endpoint": _l("address"),
    "method": _l("method"),
    "tables": _l("tables"),
}

#: Values inside details: the ticket's fields, sources and kinds of documents.
VALUE_LABELS = {
    "first_name": _l("First name"),
    "last_name": _l("Last name"),
    "national_number": _l("National register number"),
    "birth_date": _l("Birth date"),
    "phone": _l("Phone number"),
    "email": _l("E-mail address"),
    "address": _l("Address"),
    "language": _l("Language of the citizen"),
    "notes": _l("Notes"),
    "status": _l("Status"),
    "script_response": _l("Call script"),
    "name_birth_date": _l("Last name and birth date"),
    "reference": _l("Ticket reference"),
    "calls.import": _l("call import"),
    "quarantine_certificate": _l("Quarantine certificate"),
    "test_prescription": _l("Test prescription"),
    "nobody": _l("nobody"),
}


def action_label(code: str) -> str:
    """Return what an audited action is called (the code itself when unknown)."""
    return str(ACTION_LABELS.get(code, code))


def reason_label(code: str | None) -> str:
    """Return why data was read, in words (a typed lookup reason is shown as typed)."""
    if not code:
        return ""
    return str(REASON_LABELS.get(code, code))


def actor_label(label: str | None) -> str:
    """Return who acted when no account name is known: the system, or a user's number."""
    if label == "system":
        return _("the system")
    return label or ""


def _value(value) -> str:
    if isinstance(value, list):
        return ", ".join(_value(item) for item in value)
    return str(VALUE_LABELS.get(value, value)) if isinstance(value, str) else str(value)


def details_text(details: str | None) -> str:
    """Show a row's details JSON as ``key: value; key: a, b`` in the reader's language."""
    try:
        data = json.loads(details or "{}")
    except ValueError:
        return details or ""
    if not isinstance(data, dict):
        return _value(data)
    return "; ".join(
        f"{DETAIL_LABELS.get(key, key)}: {_value(value)}" for key, value in data.items()
    )
