"""The citizen's identity and contact answers update their ticket as soon as they are valid.

A script declares which questions are the ticket's person with an appearance word
``ticket-<field>`` (``ticket-first-name``, ``ticket-last-name``, ``ticket-national-number``,
``ticket-birth-date``, ``ticket-phone``, ``ticket-email``, ``ticket-address``,
``ticket-language``), beside any other appearance (``phone ticket-phone``); tools that do
not know the word ignore it (ODK does). Only questions outside repeats count: a contact's
phone in the case's contact list is not the case's phone.

On every save of a form that is a ticket's script form (signal ``answers-saved``, also
each autosave), the declared answers that are visible, given and valid (the identifier
checks of ``tracing_app.identifiers``) replace the ticket's values: encrypted, blind indexes
rewritten, audited as ``ticket.change`` by the tickets package. The ticket's row is
locked first, so the version check cannot fail inside the save; an editor who had the
ticket's edit screen open meanwhile gets the tickets' conflict screen.
"""

from __future__ import annotations

import dataclasses
import datetime

from flask import current_app
from sqlalchemy import select

from content.auth.models import User
from content.extensions import db
from tracing_app import identifiers
from tracing_app.scripts import operations as scripts
from tracing_app.scripts import signals
from tracing_app.tickets import operations as tickets
from tracing_app.tickets.models import Ticket

PREFIX = "ticket-"
#: appearance word (after the prefix) -> ticket field
FIELDS = {
    "first-name": "first_name",
    "last-name": "last_name",
    "national-number": "national_number",
    "birth-date": "birth_date",
    "phone": "phone",
    "email": "email",
    "address": "address",
    "language": "language",
}
#: ticket fields checked (and normalized) as identifiers before they are stored
_KINDS = {
    "national_number": identifiers.NATIONAL_NUMBER,
    "birth_date": identifiers.BIRTH_DATE,
    "phone": identifiers.PHONE,
    "email": identifiers.EMAIL,
}


def declared_fields(questions, prefix: str = "") -> dict[str, str]:
    """Return ``{answer key: ticket field}`` of the questions declared as the ticket's person."""
    found = {}
    for question in questions:
        if question.type == "repeat":
            continue
        if question.is_group:
            found.update(declared_fields(question.children, prefix))
            continue
        for word in question.appearances:
            if word.startswith(PREFIX) and word.removeprefix(PREFIX) in FIELDS:
                found[prefix + question.name] = FIELDS[word.removeprefix(PREFIX)]
    return found


def valid_values(declared: dict[str, str], state, *, today: datetime.date) -> dict[str, object]:
    """Return the declared answers fit for the ticket: visible, given, without an error."""
    errors = state.shown_errors(include_missing=False)
    values: dict[str, object] = {}
    for key, field in declared.items():
        text = (state.values.get(key) or "").strip()
        if not text or key in errors or not state.visible.get(key, False):
            continue
        if field in _KINDS:
            text, error = identifiers.validate(_KINDS[field], text, today=today)
            if error is not None:
                continue
        if field == "birth_date":
            values[field] = datetime.date.fromisoformat(text)
        elif field == "language":
            if text in current_app.config["LANGUAGES"]:
                values[field] = text
        else:
            values[field] = text[:500]
    return values


def on_answers_saved(sender, response, state, **extra) -> None:
    """Update the ticket whose script form was just saved (see the module's docstring)."""
    # The definition is cached, and what it declares with it: scripts without identity
    # answers cost no query.
    definition = scripts.definition(response.script_version)
    declared = definition.derived.get("identity.declared")
    if declared is None:
        declared = definition.derived["identity.declared"] = declared_fields(definition.questions)
    values = valid_values(declared, state, today=scripts.today())
    if not values:
        return
    ticket_id = db.session.scalar(select(Ticket.id).where(Ticket.script_response_id == response.id))
    if ticket_id is None:
        return
    ticket = db.session.get(Ticket, ticket_id, with_for_update=True, populate_existing=True)
    person = tickets.decrypt_ticket(ticket)
    updated = dataclasses.replace(person, **values)
    if updated == person:
        return
    actor = db.session.get(User, response.agent_id) if response.agent_id else None
    tickets.update_ticket(ticket, updated, actor=actor, expected_version=ticket.version)


def connect() -> None:
    """Listen to saved answers (idempotent)."""
    signals.answers_saved.connect(on_answers_saved)
