"""Legal holds on the web: a supervisor places one with a reason, and releases it."""

from __future__ import annotations

from sqlalchemy import select

from content.extensions import db
from tests.fixtures.web import post_form, translated
from tracing_app.audit.models import AuditEntry
from tracing_app.retention import holds


def test_supervisor_places_and_releases_a_hold(client, auth, make_ticket):
    ticket = make_ticket()
    supervisor = auth.login_as("supervisor")
    url = f"/en/tickets/{ticket.reference}/legal-hold"
    assert client.get(url).status_code == 200

    response = post_form(client, url, {"reason": "Dossier parket 2026/118"})
    assert response.status_code == 302
    hold = holds.active_hold(ticket)
    assert hold.reason == "Dossier parket 2026/118"
    assert hold.placed_by_id == supervisor.id
    page = client.get(url).get_data(as_text=True)
    assert "Dossier parket 2026/118" in page

    assert post_form(client, f"{url}/release", {}).status_code == 302
    db.session.expire_all()
    assert holds.active_hold(ticket) is None
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.subject_id == ticket.reference)
    ).all()
    assert "ticket.legal_hold" in actions
    assert "ticket.legal_hold_release" in actions


def test_a_missing_or_personal_reason_is_refused_beside_the_field(client, auth, make_ticket):
    ticket = make_ticket()
    auth.login_as("supervisor", locale="nl")
    url = f"/nl/tickets/{ticket.reference}/legal-hold"
    response = post_form(client, url, {"reason": ""})
    assert response.status_code == 400
    assert translated("nl", "Give the reason for the hold.") in response.get_data(as_text=True)

    typed = "Rijksregister 85.07.30-033.28"
    response = post_form(client, url, {"reason": typed})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert translated("nl", "This looks like personal data: give a case or file number.") in page
    assert typed in page  # what was typed is kept
    assert holds.active_hold(ticket) is None


def test_agents_cannot_place_holds(client, auth, make_ticket):
    ticket = make_ticket()
    auth.login_as("agent")
    url = f"/en/tickets/{ticket.reference}/legal-hold"
    assert client.get(url).status_code == 403
    assert post_form(client, url, {"reason": "Dossier 1"}).status_code == 403
    assert holds.active_hold(ticket) is None
