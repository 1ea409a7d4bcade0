"""Contacts named by a case become call orders of the contacts campaign.

When an agent completes a case's call script (signal ``form-completed``), the instances of
its contacts repeat group that are high-risk contacts with a phone number become
``PersonData``; each creates or links a ticket and, unless that ticket already has an
open order in the campaign, gets a call order due at once. The form must be the ticket's
form (``tickets.script_response_id``) and a campaign must be marked "receives contacts";
otherwise nothing happens. Field names follow the demo case script
(tracing_app/seed/scripts/outbound_case.csv).
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select

from content.auth.models import utcnow
from content.extensions import db
from tracing_app.audit import operations as audit
from tracing_app.calls.models import CLAIMED, QUEUED, CallOrder, Campaign
from tracing_app.calls.operations import contacts_campaign, enqueue
from tracing_app.protection import blind_index as bi
from tracing_app.scripts import signals
from tracing_app.tickets.models import Ticket
from tracing_app.tickets.operations import (
    PersonData,
    create_or_link_ticket,
    decrypt_ticket,
    tickets_by_index,
)

#: The case script's repeat group of contacts, and the answers read from each instance.
REPEAT = "contact_list"
NAME, PHONE, EMAIL, LANGUAGE, RISK = (
    "contact_name",
    "contact_phone",
    "contact_email",
    "contact_language",
    "contact_risk",
)
#: Only these contacts are called (the script asks a phone number for them only).
CALLED_RISK = "high"
SOURCE = "calls.contacts"


def order_contacts(
    case_ticket: Ticket | None,
    contacts: list[PersonData],
    campaign: Campaign,
    *,
    actor=None,
    now: datetime | None = None,
) -> list[CallOrder]:
    """Queue a call order per contact (ticket created or linked); flushed, not committed.

    A contact whose ticket already has an open order in the campaign, or who is the case
    itself, gets no second order. Returns the new orders.
    """
    now = now or utcnow()
    open_tickets = set(
        db.session.scalars(
            select(CallOrder.ticket_id).where(
                CallOrder.campaign_id == campaign.id,
                CallOrder.state.in_((QUEUED, CLAIMED)),
                CallOrder.ticket_id.is_not(None),
            )
        )
    )
    orders = []
    for person in contacts:
        ticket = (
            _same_contact(person) or create_or_link_ticket(person, actor=actor, source=SOURCE)[0]
        )
        if ticket.id in open_tickets or (case_ticket is not None and ticket.id == case_ticket.id):
            continue
        order = enqueue(campaign, due_dt=now)
        order.ticket_id = ticket.id
        order.source_ticket_id = case_ticket.id if case_ticket is not None else None
        open_tickets.add(ticket.id)
        orders.append(order)
    db.session.flush()
    if case_ticket is not None:
        audit.record(
            "calls.contacts_ordered",
            actor=actor,
            subject_type="ticket",
            subject_id=case_ticket.reference,
            details={"orders": len(orders), "contacts": len(contacts)},
        )
    return orders


def _same_contact(person: PersonData) -> Ticket | None:
    """Return the ticket of the same phone number and the same name, if any.

    Contacts come with a name and a phone number only, which ``find_duplicates`` (national
    number, or phone and birth date) cannot match: a contact named by two cases would get
    two tickets. Same phone and same normalized first and last name is the same contact.
    """
    if person.national_number or person.birth_date or not person.phone:
        return None
    try:
        candidates = tickets_by_index(bi.PHONE, person.phone)
    except bi.NormalizationError:
        return None
    names = (_normal_name(person.first_name), _normal_name(person.last_name))
    for ticket in candidates:
        other = decrypt_ticket(ticket)
        if (_normal_name(other.first_name), _normal_name(other.last_name)) == names:
            return ticket
    return None


def _normal_name(text: str | None) -> str:
    return bi.normalize_name(text) if text else ""


def contacts_from_answers(values: dict[str, str], default_language: str = "nl") -> list[PersonData]:
    """Return the high-risk contacts with a phone number from a case form's answers."""
    contacts = []
    index = 0
    while f"{REPEAT}.{index}.{NAME}" in values:
        prefix = f"{REPEAT}.{index}."
        index += 1
        phone = values.get(prefix + PHONE, "").strip()
        if values.get(prefix + RISK) != CALLED_RISK or not phone:
            continue
        first, last = _split_name(values.get(prefix + NAME, ""))
        language = values.get(prefix + LANGUAGE, "").strip()
        if language not in current_app.config["LANGUAGES"]:  # e.g. "other"
            language = default_language
        contacts.append(
            PersonData(
                first_name=first,
                last_name=last,
                phone=phone,
                email=values.get(prefix + EMAIL, "").strip() or None,
                language=language,
            )
        )
    return contacts


def _split_name(text: str) -> tuple[str | None, str | None]:
    # The script asks one name: the first word is taken as the first name.
    parts = text.split(None, 1)
    if not parts:
        return None, None
    return parts[0], (parts[1] if len(parts) > 1 else None)


def on_form_completed(sender, *, response, state, **extra) -> None:
    """Receiver of ``form-completed``: order the contacts of a case's form."""
    if not any(key.startswith(f"{REPEAT}.") for key in state.values):
        return
    ticket = db.session.scalars(
        select(Ticket).where(Ticket.script_response_id == response.id)
    ).first()
    campaign = contacts_campaign()
    if ticket is None or campaign is None:
        return
    contacts = contacts_from_answers(state.values, default_language=ticket.language)
    if contacts:
        order_contacts(ticket, contacts, campaign, actor=response.agent)


def connect() -> None:
    """Listen to completed forms (idempotent)."""
    signals.form_completed.connect(on_form_completed)
