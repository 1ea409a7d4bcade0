"""Escalation: agent asks, specialist takes and answers, the agent and history see it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from content.extensions import db
from tests.fixtures.web import AuthActions, post_form
from tracing_app.audit.models import AuditEntry
from tracing_app.tickets import escalations
from tracing_app.tickets.models import Ticket, TicketEscalation


def test_escalation_round_trip_through_the_screens(app, client, auth, make_ticket, create_user):
    ticket = make_ticket()
    auth.login_as("agent")
    post_form(
        client,
        "/en/tickets/lookup",
        {"kind": "reference", "value": ticket.reference, "reason": "callback"},
    )
    url = f"/en/tickets/{ticket.reference}/escalate"
    assert post_form(client, url, {"note": ""}).status_code == 400
    response = post_form(client, url, {"note": "Mag ze naar haar werk in de crèche?"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).status == "escalated"
    escalation = db.session.scalar(select(TicketEscalation))
    assert "crèche" not in escalation.note_enc  # encrypted at rest

    specialist_client = app.test_client()
    specialist = create_user(roles=["specialist"])
    AuthActions(specialist_client, None).login(specialist.email)
    queue = specialist_client.get("/en/tickets/escalations/").get_data(as_text=True)
    assert ticket.reference in queue
    assert "crèche" not in queue  # the queue shows no personal data
    taken = post_form(specialist_client, f"/en/tickets/escalations/{escalation.id}/take", {})
    assert taken.status_code == 302
    page = specialist_client.get(taken.location).get_data(as_text=True)
    assert "Mag ze naar haar werk in de crèche?" in page
    assert "Vanderhaeghen" in page
    answered = post_form(
        specialist_client,
        f"/en/tickets/escalations/{escalation.id}",
        {"answer": "Nee, thuisblijven tot het testresultaat er is.", "close_ticket": "in_progress"},
    )
    assert answered.status_code == 302
    assert ticket.reference not in specialist_client.get("/en/tickets/escalations/").get_data(
        as_text=True
    )

    mine = client.get("/en/tickets/escalations/mine").get_data(as_text=True)
    assert ticket.reference in mine
    assert "answered" in mine
    shown = client.get(f"/en/tickets/{ticket.reference}").get_data(as_text=True)
    assert "Nee, thuisblijven tot het testresultaat er is." in shown
    assert specialist.display_name in shown
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).status == "in_progress"
    actions = list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.subject_id == ticket.reference)
            .order_by(AuditEntry.id)
        )
    )
    for action in ("ticket.escalate", "ticket.escalation_take", "ticket.escalation_answer"):
        assert action in actions


@pytest.mark.db
def test_two_specialists_cannot_take_the_same_question(make_ticket, create_user, dummy_user):
    ticket = make_ticket()
    escalation = escalations.escalate(ticket, "Vraag", actor=dummy_user)
    db.session.commit()
    first, second = create_user(roles=["specialist"]), create_user(roles=["specialist"])
    escalations.take(escalation, specialist=first)
    db.session.commit()
    with pytest.raises(escalations.EscalationError):
        escalations.take(escalation, specialist=second)
    db.session.rollback()
    with pytest.raises(escalations.EscalationError):
        escalations.answer(escalation, "Antwoord", specialist=second)
    db.session.rollback()
    escalations.answer(escalation, "Antwoord", specialist=first, ticket_status="closed")
    db.session.commit()
    assert escalation.state == "answered"
    assert ticket.status == "closed"
    assert escalations.text_of(escalation, "answer") == "Antwoord"


def test_specialist_opens_only_escalated_tickets(client, auth, make_ticket, dummy_user):
    escalated, other = make_ticket(), make_ticket(national_number=None, phone=None, email=None)
    escalations.escalate(escalated, "Vraag", actor=dummy_user)
    db.session.commit()
    auth.login_as("specialist")
    assert client.get(f"/en/tickets/{escalated.reference}").status_code == 200
    assert client.get(f"/en/tickets/{other.reference}").status_code == 404
