"""Telephony: the screen pop of an inbound call, and the call-events webhook."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from content.auth.models import utcnow
from content.extensions import db
from tests.fixtures.exchange import bearer
from tests.fixtures.web import post_form
from tracing_app.audit.models import AuditEntry
from tracing_app.calls import operations as calls
from tracing_app.calls.models import REACHED, CallAttempt, CallOrder
from tracing_app.exchange import tokens
from tracing_app.scripts import operations as scripts
from tracing_app.telephony.models import TelephonyCall, TelephonyCallEvent
from tracing_app.tickets.models import Ticket
from tracing_app.tickets.operations import PersonData, create_ticket, decrypt_ticket

pytestmark = pytest.mark.db

SEED = Path(__file__).parents[2] / "tracing_app" / "seed" / "scripts"


@pytest.fixture
def inbound_script(app):
    """The inbound script, published."""
    version = scripts.upload_version(
        (SEED / "inbound_callback.csv").read_bytes(), "inbound_callback.csv", actor=None
    )
    scripts.publish(version)
    db.session.commit()
    return version


def _ticket(**values) -> Ticket:
    ticket = create_ticket(PersonData(**values), actor=None, source="test")
    db.session.commit()
    return ticket


def _pop(client, caller: str, **extra):
    return post_form(client, "/en/calls/screen-pop", {"caller": caller, **extra})


def test_a_known_number_in_any_spelling_opens_its_ticket_with_the_inbound_script(
    client, auth, inbound_script
):
    ticket = _ticket(first_name="Griet", phone="+32470123456", language="en")
    agent = auth.login_as("agent")
    shown = client.get("/en/calls/screen-pop?caller=0470%2012%2034%2056&call_id=pbx-1")
    assert shown.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(CallOrder)) == 0  # GET: no effect
    response = _pop(client, "0470 12 34 56", call_id="pbx-1")
    assert response.status_code == 302, response.get_data(as_text=True)
    order = db.session.scalar(select(CallOrder).where(CallOrder.ticket_id == ticket.id))
    assert response.location == f"/en/calls/orders/{order.id}#script"
    assert (order.state, order.claimed_by_id) == ("claimed", agent.id)
    page = client.get(f"/en/calls/orders/{order.id}").get_data(as_text=True)
    assert ticket.reference in page
    assert f'action="/en/calls/orders/{order.id}/script/save"' in page  # script on the desktop
    searched = db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "ticket.search", AuditEntry.actor_id == agent.id
        )
    )
    assert searched.reason == "inbound call"
    call = db.session.scalar(select(TelephonyCall).where(TelephonyCall.call_id == "pbx-1"))
    assert call.order_id == order.id


def test_several_tickets_with_the_number_give_the_choice(client, auth, inbound_script):
    first = _ticket(first_name="Anna", phone="+32470123456")
    second = _ticket(first_name="Bart", phone="0032 470 12 34 56")
    auth.login_as("agent")
    page = _pop(client, "+32 470 12 34 56")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert first.reference in text
    assert second.reference in text
    assert db.session.scalar(select(func.count()).select_from(CallOrder)) == 0
    chosen = _pop(client, "+32 470 12 34 56", ticket=second.reference)
    assert chosen.status_code == 302
    order = db.session.scalar(select(CallOrder))
    assert order.ticket_id == second.id


def test_a_number_shared_by_too_many_tickets_asks_for_the_name(client, auth, inbound_script):
    from tracing_app.tickets.tolerant import MAX_MATCHES

    for number in range(MAX_MATCHES + 1):
        _ticket(first_name=f"Resident {number}", phone="+3250123456")  # a care home's line
    auth.login_as("agent")
    response = _pop(client, "050 12 34 56")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Many tickets share this number" in page
    assert "Resident" not in page
    assert db.session.scalar(select(func.count()).select_from(CallOrder)) == 0
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "ticket.search")) == 1


def test_an_unknown_number_gets_a_new_inbound_ticket_with_the_number(client, auth, inbound_script):
    auth.login_as("agent")
    response = _pop(client, "04 71 23 45 67")
    assert response.status_code == 302
    order = db.session.scalar(select(CallOrder))
    ticket = db.session.get(Ticket, order.ticket_id)
    assert ticket.source == "inbound"
    assert decrypt_ticket(ticket).phone == "+32471234567"


def test_a_malformed_number_is_shown_beside_the_field_and_nothing_happens(client, auth):
    auth.login_as("agent")
    response = _pop(client, "12ab")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="caller-error"' in page
    assert "This is not a phone number" in page
    assert 'value="12ab"' in page  # what was given stays
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0


def _event(event_id, call_id, kind, at):
    return {"event_id": event_id, "call_id": call_id, "type": kind, "occurred_at": at.isoformat()}


def test_call_events_need_a_token_with_their_scope(client, create_api_client):
    body = _event("e1", "c1", "ringing", datetime(2026, 12, 7, 10, tzinfo=UTC))
    assert client.post("/api/v1/call-events", json=body).status_code == 401
    _client, token = create_api_client(scopes=[tokens.DATA_READ])
    assert client.post("/api/v1/call-events", json=body, headers=bearer(token)).status_code == 403


def test_call_events_put_durations_on_the_attempt_once_per_event(
    client, create_api_client, make_campaign, create_user
):
    _client, token = create_api_client(scopes=[tokens.CALL_EVENTS])
    campaign = make_campaign(calling_start=time(0), calling_end=time(0))
    calls.enqueue(campaign, due_dt=utcnow() - timedelta(minutes=5))
    agent = create_user(roles=["agent"])
    order = calls.claim_next_call(agent, now=utcnow())
    db.session.commit()
    call_id = f"order-{order.id}-1"  # as the dialer URL gave it
    start = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    reports = [
        _event("e1", call_id, "ringing", start),
        _event("e2", call_id, "answered", start + timedelta(seconds=12)),
        _event("e3", call_id, "ended", start + timedelta(seconds=12 + 300)),
    ]
    for body in reports:
        response = client.post("/api/v1/call-events", json=body, headers=bearer(token))
        assert response.status_code == 201, response.get_data(as_text=True)
    again = client.post("/api/v1/call-events", json=reports[1], headers=bearer(token))
    assert (again.status_code, again.get_json()["replayed"]) == (200, True)
    assert db.session.scalar(select(func.count()).select_from(TelephonyCallEvent)) == 3
    # The agent records the outcome after the call: the durations land on the attempt.
    db.session.expire_all()
    order = db.session.get(CallOrder, order.id)
    attempt = calls.record_outcome(order, agent, REACHED, now=utcnow())
    db.session.flush()
    from tracing_app.telephony.events import attempt_recorded

    attempt_recorded(attempt)
    db.session.commit()
    stored = db.session.get(CallAttempt, attempt.id)
    assert (stored.ring_seconds, stored.talk_seconds) == (12, 300)


def test_an_ended_event_after_the_outcome_still_reaches_the_attempt(
    client, create_api_client, make_campaign, create_user
):
    _client, token = create_api_client(scopes=[tokens.CALL_EVENTS])
    campaign = make_campaign(calling_start=time(0), calling_end=time(0))
    calls.enqueue(campaign, due_dt=utcnow() - timedelta(minutes=5))
    agent = create_user(roles=["agent"])
    order = calls.claim_next_call(agent, now=utcnow())
    attempt = calls.record_outcome(order, agent, REACHED, now=utcnow())
    db.session.commit()
    start = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    for event_id, kind, seconds in (("a", "ringing", 0), ("b", "answered", 5), ("c", "ended", 65)):
        body = _event(event_id, f"order-{order.id}-1", kind, start + timedelta(seconds=seconds))
        assert (
            client.post("/api/v1/call-events", json=body, headers=bearer(token)).status_code == 201
        )
    db.session.expire_all()
    stored = db.session.get(CallAttempt, attempt.id)
    assert (stored.ring_seconds, stored.talk_seconds) == (5, 60)


def test_an_invalid_event_is_refused_with_every_problem(client, create_api_client):
    _client, token = create_api_client(scopes=[tokens.CALL_EVENTS])
    body = {"event_id": "", "call_id": "x y", "type": "hold", "occurred_at": "2026-12-07T10:00"}
    response = client.post("/api/v1/call-events", json=body, headers=bearer(token))
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"event_id", "call_id", "type", "occurred_at"}
    assert db.session.scalar(select(func.count()).select_from(TelephonyCallEvent)) == 0
