"""Call lists through the web: an agent takes a call; supervisors run campaigns."""

from __future__ import annotations

import io
from datetime import time, timedelta

import pytest
from flask import g
from sqlalchemy import func, select

from content.auth.models import utcnow
from content.extensions import db
from tests.fixtures.web import post_form
from tracing_app.audit.models import AuditEntry
from tracing_app.calls import operations
from tracing_app.calls.forms import (
    OutcomeForm,
    button_pressed,
    shown_outcome_form,
    submitted_outcome_form,
)
from tracing_app.calls.models import CALLBACK, NOT_REACHED, QUEUED, CallAttempt, CallOrder, Campaign
from tracing_app.tickets.operations import PersonData, create_ticket

pytestmark = pytest.mark.db


@pytest.fixture
def queued_call(make_campaign):
    """A due call order of a campaign, on a ticket of Griet."""
    campaign = make_campaign(name="Cases")
    ticket = create_ticket(
        PersonData(first_name="Griet", last_name="Vanderhaeghen", phone="+32470123456"),
        actor=None,
        source="test",
    )
    order = operations.enqueue(campaign, due_dt=utcnow() - timedelta(minutes=5))
    order.ticket_id = ticket.id
    db.session.commit()
    return order


def _claim(client):
    response = post_form(client, "/en/calls/next", {})
    assert response.status_code == 302
    return response.location


def test_an_agent_claims_sees_the_summary_and_records_a_callback(client, auth, queued_call):
    from zoneinfo import ZoneInfo

    _allow_all_day(queued_call)
    agent = auth.login_as("agent")
    location = _claim(client)
    assert location.endswith(f"/en/calls/orders/{queued_call.id}")
    page = client.get(location).get_data(as_text=True)
    assert queued_call.ticket.reference in page
    assert f'href="/en/tickets/{queued_call.ticket.reference}"' in page  # the ticket page
    assert "Griet V." in page  # the summary: first name and initial
    assert "+32470123456" in page  # the number to dial
    assert "Vanderhaeghen" not in page
    assert "named as a high-risk contact" not in page  # a case of its own
    viewed = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "ticket.view", AuditEntry.actor_id == agent.id
        )
    ).all()
    assert viewed, "showing the number is an audited view of personal data"

    at = (utcnow() + timedelta(days=1)).astimezone(ZoneInfo("Europe/Brussels"))
    response = post_form(
        client,
        f"/en/calls/orders/{queued_call.id}/outcome",
        {"outcome": CALLBACK, "callback_at": at.strftime("%Y-%m-%dT%H:%M"), "callback_by": "me"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    order = db.session.get(CallOrder, queued_call.id)
    assert (order.state, order.reserved_for_id, order.last_outcome) == (QUEUED, agent.id, CALLBACK)
    assert order.due_dt == at.replace(second=0, microsecond=0)
    # The call is gone from the agent's hands.
    assert client.get(location).status_code == 404
    home = client.get("/en/calls/").get_data(as_text=True)
    assert "Your callbacks" in home
    assert queued_call.ticket.reference in home


def test_a_callback_without_a_time_is_shown_again_with_the_error(client, auth, queued_call):
    _allow_all_day(queued_call)
    auth.login_as("agent")
    _claim(client)
    response = post_form(
        client, f"/en/calls/orders/{queued_call.id}/outcome", {"outcome": CALLBACK, "note": "typed"}
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert text.count("Give a callback time in the future.") == 1
    assert "typed" in text  # what the agent typed is kept
    # The form shown again has its CSRF field (the submitted one was checked without it).
    assert text.count('name="csrf_token" type="hidden" value="') >= 2
    # The whole call desktop again, read afresh (the outcome's own read is narrower).
    assert "+32470123456" in text
    assert "Griet" in text
    assert db.session.scalar(select(func.count()).select_from(CallAttempt)) == 0


@pytest.mark.parametrize(
    "data",
    [
        {"note": "no outcome"},
        {"outcome": "unknown"},
        {"outcome": CALLBACK, "callback_at": "tomorrow"},
        {"outcome": CALLBACK, "callback_at": "2030-01-01T10:00", "note": "x" * 2001},
        {"outcome": CALLBACK, "callback_by": "nobody"},
    ],
)
def test_a_submitted_outcome_form_shows_the_errors_a_whole_form_has(app, data):
    with app.test_request_context("/en/calls/orders/1/outcome", method="POST", data=data):
        whole = OutcomeForm(meta={"csrf": False})
        whole.validate()
        g.csrf_valid = True  # the site's CSRF protection checked the request's token
        submitted = submitted_outcome_form()
        assert "csrf_token" not in submitted
        assert not submitted.validate_on_submit()
        shown = shown_outcome_form(submitted, "A rule's message.")
        assert "csrf_token" in shown
        assert shown.errors == {
            **whole.errors,
            "callback_at": [*whole.errors.get("callback_at", []), "A rule's message."],
        }
        assert shown.note.data == whole.note.data


def test_a_button_counts_as_pressed_only_with_its_checked_token(app):
    with app.test_request_context("/en/calls/next", method="POST", data={"csrf_token": "x"}):
        assert not button_pressed()  # not checked: the form checks it, and refuses it
        g.csrf_valid = True  # the site's CSRF protection checked the request's token
        assert button_pressed()
    with app.test_request_context("/en/calls/next", method="GET"):
        g.csrf_valid = True
        assert not button_pressed()


def test_another_agent_cannot_see_a_claimed_call(client, auth, create_user, queued_call):
    _allow_all_day(queued_call)
    holder = create_user(roles=["agent"])
    operations.claim_next_call(holder, now=utcnow())
    db.session.rollback()
    auth.login_as("agent")
    assert client.get(f"/en/calls/orders/{queued_call.id}").status_code == 404


def test_release_puts_the_call_back(client, auth, queued_call):
    _allow_all_day(queued_call)
    auth.login_as("agent")
    _claim(client)
    assert post_form(client, f"/en/calls/orders/{queued_call.id}/release", {}).status_code == 302
    db.session.expire_all()
    assert db.session.get(CallOrder, queued_call.id).state == QUEUED


def _allow_all_day(order):
    campaign = db.session.get(Campaign, order.campaign_id)
    campaign.calling_start = campaign.calling_end = time(0, 0)  # all day
    db.session.commit()


def test_a_supervisor_creates_a_campaign_with_retry_rules(client, auth):
    auth.login_as("supervisor")
    form = {
        "name": "Contacts",
        "script_id": "0",
        "priority": "3",
        "calling_start": "09:00",
        "calling_end": "21:00",
        "max_attempts": "",
        "retry_no_answer": "90",
        "retry_busy": "",
        "retry_wrong_number": "",
        "callback_grace_minutes": "20",
        "receives_contacts": "y",
        "active": "y",
    }
    response = post_form(client, "/en/calls/campaigns/new", form)
    assert response.status_code == 400
    assert 'value="Contacts"' in response.get_data(as_text=True)
    response = post_form(client, "/en/calls/campaigns/new", {**form, "max_attempts": "4"})
    assert response.status_code == 302
    campaign = db.session.scalars(select(Campaign)).one()
    assert campaign.retry_rules == {"no_answer": 90, "busy": None, "wrong_number": None}
    assert (campaign.max_attempts, campaign.callback_grace_minutes) == (4, 20)
    assert campaign.receives_contacts
    page = client.get(f"/en/calls/campaigns/{campaign.id}/edit").get_data(as_text=True)
    assert 'value="90"' in page


def test_import_upload_shows_problems_by_row_then_a_summary(client, auth, make_campaign):
    campaign = make_campaign()
    auth.login_as("supervisor")
    url = f"/en/calls/campaigns/{campaign.id}/import"
    bad = b"last_name,phone\nGood,0470 12 34 56\nBad,12\n"
    response = post_form(
        client, url, {"file": (io.BytesIO(bad), "o.csv")}, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "nothing was imported" in text
    assert "<td>3</td><td>phone</td><td>This is not a valid phone number.</td>" in text
    assert db.session.scalar(select(func.count()).select_from(CallOrder)) == 0
    good = b"last_name,phone\nGood,0470 12 34 56\nOther,0471 12 34 56\n"
    response = post_form(
        client, url, {"file": (io.BytesIO(good), "o.csv")}, content_type="multipart/form-data"
    )
    assert response.status_code == 200
    assert "2 call orders queued." in response.get_data(as_text=True)


def test_dashboard_not_reached_and_csv(client, auth, make_campaign, create_user):
    campaign = make_campaign(
        name="Cases", max_attempts=1, calling_start=time(0), calling_end=time(0)
    )
    agent = create_user(roles=["agent"])
    now = utcnow()
    operations.enqueue(campaign, due_dt=now - timedelta(minutes=1))
    operations.enqueue(campaign, due_dt=now + timedelta(hours=3))
    db.session.commit()
    order = operations.claim_next_call(agent, now=now)
    operations.record_outcome(order, agent, "no_answer", now=now)
    db.session.commit()
    assert order.state == NOT_REACHED
    auth.login_as("supervisor")
    page = client.get("/en/calls/dashboard").get_data(as_text=True)
    assert page.count("<svg") == 2  # outcomes today and calls per hour
    assert "<title>No answer: 1</title>" in page
    assert "1 agent active" in page
    assert "1 call today" in page
    assert '<th scope="row">Cases</th><td>0</td><td>1</td><td>0</td><td>0</td><td>1</td>' in page
    csv_text = client.get("/en/calls/dashboard.csv").get_data(as_text=True)
    assert "queue,Cases,not_reached,1" in csv_text
    assert "outcomes_today,no_answer,calls,1" in csv_text
    listing = client.get("/en/calls/not-reached").get_data(as_text=True)
    assert "Try once more" in listing
    assert post_form(client, f"/en/calls/orders/{order.id}/requeue", {}).status_code == 302
    db.session.expire_all()
    assert db.session.get(CallOrder, order.id).state == QUEUED


def test_the_call_script_opens_in_the_citizens_language_and_keeps_the_call(
    client, auth, queued_call
):
    from pathlib import Path

    from tracing_app.scripts import operations as scripts
    from tracing_app.scripts.models import FormResponse

    path = Path(__file__).parents[2] / "tracing_app" / "seed" / "scripts" / "outbound_case.csv"
    version = scripts.upload_version(path.read_bytes(), path.name, actor=None)
    scripts.publish(version)
    campaign = db.session.get(Campaign, queued_call.campaign_id)
    campaign.script_id = version.script_id
    queued_call.ticket.language = "fr"
    db.session.commit()
    _allow_all_day(queued_call)
    agent = auth.login_as("agent")
    _claim(client)
    response = post_form(client, f"/en/calls/orders/{queued_call.id}/script", {})
    assert response.status_code == 302
    # The script opens on the call desktop itself, not in a tab of its own.
    assert response.location == f"/en/calls/orders/{queued_call.id}#script"
    db.session.expire_all()
    order = db.session.get(CallOrder, queued_call.id)
    form_id = order.ticket.script_response_id
    form = db.session.get(FormResponse, form_id)
    assert (form.agent_id, form.language) == (agent.id, "fr")
    assert order.lease_until_dt >= utcnow() + timedelta(minutes=40)
    # Opening it again continues the same form.
    again = post_form(client, f"/en/calls/orders/{queued_call.id}/script", {})
    assert again.location == response.location
    db.session.expire_all()
    assert db.session.get(CallOrder, queued_call.id).ticket.script_response_id == form_id


def test_dashboard_lists_callbacks_due_and_who_they_are_reserved_for(
    client, auth, create_user, queued_call
):
    _allow_all_day(queued_call)
    agent = create_user(roles=["agent"], display_name="Ann Agent")
    now = utcnow()
    order = operations.claim_next_call(agent, now=now)
    operations.record_outcome(order, agent, CALLBACK, now=now, callback_dt=now + timedelta(hours=1))
    db.session.commit()
    auth.login_as("supervisor")
    page = client.get("/en/calls/dashboard").get_data(as_text=True)
    assert "1 callback due soon" in page
    assert queued_call.ticket.reference in page
    assert "Ann Agent" in page


def test_a_contacts_call_says_why_without_naming_the_case(client, auth, queued_call):
    case = create_ticket(PersonData(first_name="Casimir"), actor=None, source="test")
    queued_call.source_ticket_id = case.id
    db.session.commit()
    _allow_all_day(queued_call)
    auth.login_as("agent")
    page = client.get(_claim(client)).get_data(as_text=True)
    assert "named as a high-risk contact by a case" in page
    assert "Casimir" not in page
    assert case.reference not in page


def test_import_summary_links_possible_duplicates_for_merging(client, auth, make_campaign):
    from datetime import date

    mother = create_ticket(
        PersonData(first_name="Lies", phone="+32470555555", birth_date=date(1990, 1, 1)),
        actor=None,
        source="test",
    )
    db.session.commit()
    campaign = make_campaign()
    auth.login_as("supervisor")
    data = b"first_name,phone,birth_date\nLotte,0470 55 55 55,1990-01-01\n"
    response = post_form(
        client,
        f"/en/calls/campaigns/{campaign.id}/import",
        {"file": (io.BytesIO(data), "o.csv")},
        content_type="multipart/form-data",
    )
    text = response.get_data(as_text=True)
    assert "Possible duplicates to merge" in text
    assert f'<a href="/en/tickets/{mother.reference}">{mother.reference}</a>' in text
