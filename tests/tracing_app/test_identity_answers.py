"""Identity answers of a script update the citizen's ticket as soon as they are valid."""

from __future__ import annotations

import datetime
from datetime import time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from content.auth.models import utcnow
from content.extensions import db
from tests.fixtures.web import post_form
from tracing_app.audit.models import AuditEntry
from tracing_app.calls import operations
from tracing_app.calls.models import CallOrder
from tracing_app.protection import blind_index as bi
from tracing_app.scripts import operations as scripts
from tracing_app.scripts.models import FormResponse
from tracing_app.tickets.operations import (
    PersonData,
    create_ticket,
    decrypt_ticket,
    tickets_by_index,
)

pytestmark = pytest.mark.db

SEED = Path(__file__).parents[2] / "tracing_app" / "seed" / "scripts"
NATIONAL_NUMBER = "85073003328"  # a valid Belgian national register number (born 1985-07-30)


@pytest.fixture
def form_on_ticket(make_campaign, create_user):
    """An agent's outbound-case form, linked to a ticket that has only a first name."""
    version = scripts.upload_version(
        (SEED / "outbound_case.csv").read_bytes(), "outbound_case.csv", actor=None
    )
    scripts.publish(version)
    campaign = make_campaign(
        script_id=version.script_id, calling_start=time(0), calling_end=time(0)
    )
    ticket = create_ticket(PersonData(first_name="Griet", language="en"), actor=None, source="test")
    order = operations.enqueue(campaign, due_dt=utcnow() - timedelta(minutes=5))
    order.ticket_id = ticket.id
    db.session.commit()
    return order


def _answers(**extra):
    return {"called_name": "Griet", "consent": "yes", **extra}


def test_a_valid_national_number_reaches_the_ticket_and_its_blind_index_at_once(
    client, auth, form_on_ticket
):
    agent = auth.login_as("agent")
    post_form(client, "/en/calls/next", {})
    post_form(client, f"/en/calls/orders/{form_on_ticket.id}/script", {})
    db.session.expire_all()
    ticket = db.session.get(CallOrder, form_on_ticket.id).ticket
    form = db.session.get(FormResponse, ticket.script_response_id)
    token = client.get(f"/en/calls/orders/{form_on_ticket.id}")  # the page's CSRF token
    assert token.status_code == 200
    answers = _answers(
        national_number="85.07.30-033.28", birth_date="1985-07-30", phone="0470 12 34 56"
    )
    response = client.post(
        f"/en/workspace/forms/{form.id}/autosave",
        json={"answers": answers, "revision": form.revision},
        headers={"X-CSRFToken": _csrf(client, form_on_ticket.id)},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    db.session.expire_all()
    person = decrypt_ticket(db.session.get(CallOrder, form_on_ticket.id).ticket)
    assert person.national_number == NATIONAL_NUMBER
    assert person.birth_date == datetime.date(1985, 7, 30)
    assert person.phone == "+32470123456"
    assert person.first_name == "Griet"  # not declared: unchanged
    # A callback lookup by the number just given finds the ticket before the form is done.
    assert [t.id for t in tickets_by_index(bi.NATIONAL_NUMBER, NATIONAL_NUMBER)] == [ticket.id]
    change = db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "ticket.change",
            AuditEntry.subject_id == ticket.reference,
            AuditEntry.actor_id == agent.id,
        )
    )
    assert change is not None


def test_an_invalid_answer_leaves_the_ticket_as_it_was(client, auth, form_on_ticket):
    auth.login_as("agent")
    post_form(client, "/en/calls/next", {})
    post_form(client, f"/en/calls/orders/{form_on_ticket.id}/script", {})
    db.session.expire_all()
    ticket = db.session.get(CallOrder, form_on_ticket.id).ticket
    version = ticket.version
    form = db.session.get(FormResponse, ticket.script_response_id)
    response = post_form(
        client,
        f"/en/calls/orders/{form_on_ticket.id}/script/save",
        {**_answers(national_number="12345"), "_action": "save", "_revision": str(form.revision)},
    )
    assert response.status_code == 200
    db.session.expire_all()
    ticket = db.session.get(CallOrder, form_on_ticket.id).ticket
    assert ticket.version == version
    assert decrypt_ticket(ticket).national_number is None


def test_the_ticket_edit_screen_opened_before_gets_the_conflict_screen(
    client, auth, form_on_ticket
):
    auth.login_as("agent")
    post_form(client, "/en/calls/next", {})
    post_form(client, f"/en/calls/orders/{form_on_ticket.id}/script", {})
    db.session.expire_all()
    ticket = db.session.get(CallOrder, form_on_ticket.id).ticket
    reference, version, status = ticket.reference, ticket.version, ticket.status
    form = db.session.get(FormResponse, ticket.script_response_id)
    post_form(
        client,
        f"/en/calls/orders/{form_on_ticket.id}/script/save",
        {**_answers(phone="0470 12 34 56"), "_action": "save", "_revision": str(form.revision)},
    )
    edit = post_form(
        client,
        f"/en/tickets/{reference}/edit",
        {
            "first_name": "Griet",
            "phone": "0471 00 00 00",
            "language": "en",
            "status": status,
            "version": str(version),
        },
    )
    assert edit.status_code == 409
    db.session.expire_all()
    assert decrypt_ticket(db.session.get(CallOrder, form_on_ticket.id).ticket).phone == (
        "+32470123456"
    )


def _csrf(client, order_id) -> str:
    import re

    page = client.get(f"/en/calls/orders/{order_id}").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
