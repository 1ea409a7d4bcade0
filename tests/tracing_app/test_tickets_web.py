"""Ticket screens: lookup then open, guessing refused, conflict screen, scripts, audit log."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from content.extensions import db
from tests.fixtures.web import AuthActions, csrf_token, post_form
from tracing_app.audit.models import AuditEntry
from tracing_app.scripts.models import FormResponse
from tracing_app.tickets.models import Ticket

SEED = Path(__file__).parents[2] / "tracing_app" / "seed" / "scripts" / "inbound_callback.csv"


def _last_entries(count=5):
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(count)
    return list(db.session.scalars(query))


def _lookup(client, **data):
    data.setdefault("reason", "inbound callback")
    return post_form(client, "/en/tickets/lookup", data)


def test_agent_finds_a_ticket_by_national_number_then_opens_it(client, auth, make_ticket):
    ticket = make_ticket()
    agent = auth.login_as("agent")
    assert client.get(f"/en/tickets/{ticket.reference}").status_code == 404  # not found yet

    response = _lookup(client, kind="national_number", value="85073003328")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert ticket.reference in page
    assert "Griet V." in page
    assert "Vanderhaeghen" not in page  # only the minimum before opening
    assert "0470" not in page

    opened = client.get(f"/en/tickets/{ticket.reference}")
    assert opened.status_code == 200
    assert "Vanderhaeghen" in opened.get_data(as_text=True)
    # The ticket page leads to its documents (quarantine certificate, test prescription).
    assert f"/en/documents/tickets/{ticket.reference}/new" in opened.get_data(as_text=True)

    view, found, search = _last_entries(3)
    assert (view.action, view.actor_id, view.reason) == ("ticket.view", agent.id, "lookup")
    assert (found.action, found.subject_id) == ("ticket.found", ticket.reference)
    assert search.action == "ticket.search"
    assert search.reason == "inbound callback"
    assert search.details == '{"criteria":["national_number"],"results":1}'


@pytest.mark.parametrize(
    ("data", "found"),
    [
        ({"kind": "phone", "value": "+32 470 12 34 56"}, True),
        ({"kind": "phone", "value": "0470 12 34 57"}, False),
        (
            {"kind": "name_birth_date", "last_name": "VANDERHAEGHEN", "birth_date": "1985-07-30"},
            True,
        ),
        (
            {"kind": "name_birth_date", "last_name": "Vanderhaege", "birth_date": "1985-07-30"},
            False,
        ),
    ],
)
def test_lookup_is_exact(client, auth, make_ticket, data, found):
    ticket = make_ticket()
    auth.login_as("agent")
    page = _lookup(client, **data).get_data(as_text=True)
    assert (ticket.reference in page) is found


def test_lookup_by_reference_accepts_how_people_read_it(client, auth, make_ticket):
    ticket = make_ticket()
    auth.login_as("supervisor")
    spoken = ticket.reference.lower().replace("-", " ").removeprefix("tr ")
    assert ticket.reference in _lookup(client, kind="reference", value=spoken).get_data(
        as_text=True
    )


def test_lookup_needs_a_reason_and_keeps_personal_data_out_of_it(client, auth, make_ticket):
    make_ticket()
    auth.login_as("agent")
    before = db.session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    response = _lookup(client, kind="phone", value="0470123456", reason="")
    assert response.status_code == 400
    response = _lookup(client, kind="phone", value="0470123456", reason="called from 0470123456")
    assert response.status_code == 400
    assert "without personal data" in response.get_data(as_text=True)
    after = db.session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    assert before == after  # nothing searched, nothing recorded


def test_guessing_a_reference_is_refused_and_audited(client, auth, make_ticket):
    ticket = make_ticket()
    agent = auth.login_as("agent")
    for url in (
        f"/en/tickets/{ticket.reference}",
        f"/en/tickets/{ticket.reference}/edit",
        f"/en/tickets/{ticket.reference}/escalate",
    ):
        assert client.get(url).status_code == 404
    denied = _last_entries(1)[0]
    assert (denied.action, denied.subject_id, denied.actor_id) == (
        "ticket.open_denied",
        ticket.reference,
        agent.id,
    )
    assert client.get("/en/tickets/85073003328").status_code == 404
    assert _last_entries(1)[0].subject_id == "invalid"  # never what was typed


def test_assigned_agent_and_supervisor_open_without_lookup(client, auth, make_ticket, create_user):
    agent = create_user(roles=["agent"])
    ticket = make_ticket(assigned_to=agent)
    AuthActions(client, None).login(agent.email)
    assert client.get(f"/en/tickets/{ticket.reference}").status_code == 200
    supervisor = create_user(roles=["supervisor"])
    AuthActions(client, None).login(supervisor.email)
    assert client.get(f"/en/tickets/{ticket.reference}").status_code == 200
    specialist = create_user(roles=["specialist"])
    AuthActions(client, None).login(specialist.email)
    assert client.get(f"/en/tickets/{ticket.reference}").status_code == 404


def _edit_data(page: str, **changes) -> dict:
    """The edit form's fields as the page filled them, with ``changes``."""
    data = {}
    for name in ("first_name", "last_name", "national_number", "phone", "email", "version"):
        match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page) or re.search(
            rf'value="([^"]*)"[^>]*name="{name}"', page
        )
        data[name] = match.group(1) if match else ""
    data.update(birth_date="1985-07-30", language="nl", status="in_progress", address="", notes="")
    data.update(changes)
    return data


@pytest.mark.db
def test_two_agents_edit_at_once_the_second_sees_both_versions(app, client, auth, make_ticket):
    auth.login_as("supervisor")
    ticket = make_ticket()
    read_version = ticket.version
    url = f"/en/tickets/{ticket.reference}/edit"
    other = app.test_client()
    AuthActions(other, auth._create_user).login_as("supervisor")
    page_one = client.get(url).get_data(as_text=True)
    page_two = other.get(url).get_data(as_text=True)

    saved = client.post(
        url, data={**_edit_data(page_one, phone="0470 11 11 11"), "csrf_token": csrf_token(client)}
    )
    assert saved.status_code == 302
    stale = other.post(
        url,
        data={
            **_edit_data(page_two, notes="Terugbellen na 18 uur", phone="0470 22 22 22"),
            "csrf_token": csrf_token(other),
        },
    )
    page = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "+32470111111" in page  # the saved version, stored in its one form (E.164)
    assert "0470 22 22 22" in page  # what this agent typed, kept in the form
    assert "Terugbellen na 18 uur" in page
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).version == read_version + 1  # one save only

    # Saving again from the conflict screen applies the agent's values on top.
    version = re.search(r'name="version"[^>]*value="(\d+)"', page) or re.search(
        r'value="(\d+)"[^>]*name="version"', page
    )
    again = other.post(
        url,
        data={
            **_edit_data(page_two, notes="Terugbellen na 18 uur", phone="0470 22 22 22"),
            "version": version.group(1),
            "csrf_token": csrf_token(other),
        },
    )
    assert again.status_code == 302
    shown = other.get(f"/en/tickets/{ticket.reference}").get_data(as_text=True)
    assert "Terugbellen na 18 uur" in shown
    assert "+32470222222" in shown


def test_edit_form_errors_keep_the_input(client, auth, make_ticket):
    auth.login_as("supervisor")
    ticket = make_ticket()
    url = f"/en/tickets/{ticket.reference}/edit"
    page = client.get(url).get_data(as_text=True)
    response = client.post(
        url,
        data={
            **_edit_data(page, phone="not a phone", notes="keep me"),
            "csrf_token": csrf_token(client),
        },
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "This is not a valid phone number." in text
    assert "keep me" in text


@pytest.fixture
def inbound_script(app, create_user):
    from tracing_app.scripts import operations

    editor = create_user(roles=["editor"])
    version = operations.upload_version(SEED.read_bytes(), SEED.name, actor=editor)
    operations.publish(version)
    db.session.commit()
    return version


def test_inbound_script_is_started_then_continued_by_another_agent(
    app, client, auth, make_ticket, inbound_script, create_user
):
    ticket = make_ticket(language="fr")
    agent = auth.login_as("agent")
    _lookup(client, kind="reference", value=ticket.reference)
    response = post_form(client, f"/en/tickets/{ticket.reference}/script", {"action": "start"})
    assert response.status_code == 302
    form_id = int(response.location.rstrip("/").split("/")[-1])
    form = db.session.get(FormResponse, form_id)
    assert (form.agent_id, form.language) == (agent.id, "fr")
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).script_response_id == form_id

    other = app.test_client()
    second = create_user(roles=["agent"])
    AuthActions(other, None).login(second.email)
    _lookup(other, kind="reference", value=ticket.reference)
    assert "Continue the script" in other.get(f"/en/tickets/{ticket.reference}").get_data(
        as_text=True
    )
    response = post_form(other, f"/en/tickets/{ticket.reference}/script", {"action": "continue"})
    assert response.location.endswith(f"/forms/{form_id}")
    assert other.get(response.location).status_code == 200
    contact, handover = _last_entries(2)
    assert handover.action == "ticket.script_handover"
    assert (contact.action, contact.details) == (
        "ticket.contact",
        '{"direction":"inbound","script":"continue"}',
    )


def test_supervisor_reads_and_filters_the_audit_log(client, auth, make_ticket):
    ticket = make_ticket()
    make_ticket(national_number=None, phone=None, email=None)
    supervisor = auth.login_as("supervisor")
    client.get(f"/en/tickets/{ticket.reference}")
    page = client.get(
        f"/en/tickets/audit?reference={ticket.reference.lower()}&action=ticket.view&verify=1"
    ).get_data(as_text=True)
    assert "The chain is intact" in page
    assert page.count(ticket.reference) >= 1
    assert "ticket.create" not in page.split("<tbody>")[1]
    assert supervisor.display_name in page
    by_actor = client.get(f"/en/tickets/audit?actor={supervisor.email}").get_data(as_text=True)
    assert "ticket.view" in by_actor
    assert "ticket.create" not in by_actor.split("<tbody>")[1]
    assert client.get("/en/tickets/audit?reference=nonsense").status_code == 400


def test_audit_log_pages(client, auth, make_ticket):
    from tracing_app.audit.operations import record

    for number in range(55):
        record("ticket.view", actor=None, subject_type="ticket", subject_id=f"T{number}")
    db.session.commit()
    auth.login_as("admin")
    first = client.get("/en/tickets/audit").get_data(as_text=True)
    assert ">T54<" in first
    assert ">T4<" not in first
    assert "page=2" in first
    second = client.get("/en/tickets/audit?page=2").get_data(as_text=True)
    assert ">T4<" in second
    assert "page=3" not in second


def test_ticket_page_shows_call_attempts_with_their_notes(
    client, auth, make_ticket, make_campaign, queue_order
):
    from tests.fixtures.calls import CALLS_NOW
    from tracing_app.calls import operations as calls

    agent = auth.login_as("agent")
    ticket = make_ticket(assigned_to=agent)
    order = queue_order(make_campaign())
    order.ticket_id = ticket.id
    db.session.commit()
    claimed = calls.claim_next_call(agent, now=CALLS_NOW)
    calls.record_outcome(claimed, agent, "no_answer", now=CALLS_NOW, note="Voicemail vol")
    db.session.commit()

    page = client.get(f"/en/tickets/{ticket.reference}").get_data(as_text=True)
    assert "No answer" in page
    assert "Voicemail vol" in page
    assert agent.display_name in page  # the history names staff


def test_supervisor_assigns_a_ticket_and_the_agent_opens_it(
    app, client, auth, make_ticket, create_user
):
    ticket = make_ticket()
    agent = create_user(roles=["agent"], display_name="Anneleen Agent")
    auth.login_as("supervisor")
    page = client.get(f"/en/tickets/{ticket.reference}").get_data(as_text=True)
    assert "Anneleen Agent" in page  # offered in the assignment list
    response = post_form(client, f"/en/tickets/{ticket.reference}/assign", {"agent": str(agent.id)})
    assert response.status_code == 302
    assert _last_entries(1)[0].action == "ticket.assign"

    other = app.test_client()
    AuthActions(other, None).login(agent.email)
    assert other.get(f"/en/tickets/{ticket.reference}").status_code == 200
    post_form(client, f"/en/tickets/{ticket.reference}/assign", {"agent": ""})
    assert other.get(f"/en/tickets/{ticket.reference}").status_code == 404
