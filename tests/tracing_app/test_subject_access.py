"""The citizen's own copy (GDPR art. 15): a supervisor downloads it as PDF and JSON, audited."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from content.extensions import db
from content.pdf import extract_text
from tests.fixtures.web import post_form, translated
from tracing_app.audit.models import AuditEntry
from tracing_app.tickets import escalations, operations

NOTE = "Koorts sinds maandag"
CALL_NOTE = "Werkt thuis tot vrijdag"
SEED_SCRIPT = (
    Path(__file__).parents[2] / "tracing_app" / "seed" / "scripts" / "inbound_callback.csv"
)


def _ticket(make_ticket, create_user, **person):
    from tracing_app.scripts import operations as scripts

    agent = create_user(roles=["agent"])
    ticket = make_ticket(actor=agent, **person)
    operations.person_data(ticket, actor=agent, reason="inbound callback")
    escalations.escalate(ticket, NOTE, actor=agent)
    version = scripts.upload_version(SEED_SCRIPT.read_bytes(), SEED_SCRIPT.name, actor=agent)
    scripts.publish(version)
    form = scripts.start_form(version, agent=agent, language=ticket.language)
    scripts.store_answers(form, {"call_notes": CALL_NOTE})
    operations.link_script_response(ticket, form.id, actor=agent)
    db.session.commit()
    return ticket, agent


def test_supervisor_downloads_the_json_with_data_and_accesses(
    client, auth, make_ticket, create_user
):
    ticket, agent = _ticket(make_ticket, create_user)
    supervisor = auth.login_as("supervisor")
    url = f"/en/tickets/{ticket.reference}/subject-access"
    assert client.get(url).status_code == 200

    response = post_form(client, url, {"json": "1"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.data)
    assert data["personal_data"]["last_name"] == "Vanderhaeghen"
    assert data["personal_data"]["birth_date"] == "1985-07-30"
    assert data["escalations"][0]["question"] == NOTE
    assert {"name": "call_notes", "label": "Notities bij het gesprek", "value": CALL_NOTE} in (
        data["script_answers"]
    )
    accesses = [(a["who"], a["action"], a["why"]) for a in data["accesses"]]
    assert (f"user {agent.id}", "ticket.view", "inbound callback") in accesses
    exports = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "ticket.subject_access")
    ).all()
    assert [(e.actor_id, e.subject_id, json.loads(e.details)) for e in exports] == [
        (supervisor.id, ticket.reference, {"format": "json"})
    ]


def test_the_pdf_is_in_the_citizens_language(client, auth, make_ticket, create_user):
    ticket, _agent = _ticket(make_ticket, create_user, language="fr")
    auth.login_as("supervisor")
    response = post_form(client, f"/en/tickets/{ticket.reference}/subject-access", {"pdf": "1"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    text = extract_text(response.data)
    assert translated("fr", "Your personal data") in text
    assert translated("fr", "Last name").upper() not in text  # a field label, not a section
    assert translated("fr", "Last name") in text
    assert "Vanderhaeghen" in text
    assert "Notes sur l'appel" in text  # the script's own French label
    assert CALL_NOTE in text
    assert translated("fr", "Your personal data") != "Your personal data"


def test_agents_cannot_export(client, auth, make_ticket, create_user):
    ticket, _agent = _ticket(make_ticket, create_user)
    auth.login_as("agent")
    url = f"/en/tickets/{ticket.reference}/subject-access"
    assert client.get(url).status_code == 403
    assert post_form(client, url, {"json": "1"}).status_code == 403


def test_without_csrf_nothing_is_exported(client, auth, make_ticket, create_user):
    ticket, _agent = _ticket(make_ticket, create_user)
    auth.login_as("supervisor")
    response = client.post(f"/en/tickets/{ticket.reference}/subject-access", data={"json": "1"})
    assert response.status_code in (200, 400)
    assert response.headers["Content-Type"].startswith("text/html")
    assert not db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "ticket.subject_access")
    ).all()
