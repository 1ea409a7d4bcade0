"""What the call desktop writes: the script's lease and form, the outcome and its attempt.

These requests write in fewer statements than they used to (docs/performance.md, "Agents'
requests"); what an agent, a supervisor or an export sees of them must not change.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from content.auth.models import utcnow
from content.extensions import db
from tests.fixtures.exchange import bearer
from tests.fixtures.web import post_form
from tracing_app.audit.models import AuditEntry
from tracing_app.calls import operations, own_call, script_start
from tracing_app.calls.models import CLAIMED, DONE, NO_ANSWER, REACHED, CallAttempt, CallOrder
from tracing_app.calls.notes import encrypt_note
from tracing_app.exchange import tokens
from tracing_app.exchange.changes import ATTEMPT, FORM, TICKET, ExchangeChange
from tracing_app.scripts import operations as scripts
from tracing_app.scripts.engine import initial_answers
from tracing_app.scripts.models import FormResponse
from tracing_app.tickets import summaries
from tracing_app.tickets.models import IN_PROGRESS, OPEN, Ticket
from tracing_app.tickets.operations import PersonData, create_ticket

pytestmark = pytest.mark.db


def _claim(client, order):
    response = post_form(client, "/en/calls/next", {})
    assert response.location == f"/en/calls/orders/{order.id}"


def _order(order_id: int) -> CallOrder:
    db.session.expire_all()
    return db.session.get(CallOrder, order_id)


def test_opening_the_script_keeps_the_call_and_starts_a_readable_form(
    client, auth, scripted_call, count_queries
):
    agent = auth.login_as("agent")
    _claim(client, scripted_call)
    # Most of the short lease has run: opening the script keeps the call 45 minutes.
    db.session.get(CallOrder, scripted_call.id).lease_until_dt = utcnow() + timedelta(minutes=1)
    db.session.commit()
    with count_queries() as log:
        response = post_form(client, f"/en/calls/orders/{scripted_call.id}/script", {})
    assert response.status_code == 302
    # The form is written once, its answers included: no UPDATE after its INSERT.
    assert not [s for s in log.statements if s.startswith("UPDATE form_responses")], log.report()
    order = _order(scripted_call.id)
    assert order.lease_until_dt >= utcnow() + timedelta(minutes=44)
    form = db.session.get(FormResponse, order.ticket.script_response_id)
    assert form.agent_id == agent.id
    # The answers were stored encrypted, bound to the form's own row, and read back.
    assert form.answers_json.startswith("v1:")
    version = scripts.current_version(order.campaign.script)
    expected = initial_answers(scripts.definition(version), today=scripts.today())
    assert scripts.answers(form) == expected
    # The next form gets an id of its own (nothing reserved is handed out twice).
    other = scripts.start_form(version, agent=agent, language="en")
    db.session.commit()
    assert other.id != form.id
    assert scripts.answers(other) == expected


def test_opening_the_script_links_the_form_to_its_ticket_as_the_orm_did(
    client, auth, scripted_call
):
    agent = auth.login_as("agent")
    _claim(client, scripted_call)
    ticket = db.session.get(Ticket, scripted_call.ticket_id)
    before = (ticket.version, ticket.updated_dt)
    assert ticket.status == OPEN
    response = post_form(client, f"/en/calls/orders/{scripted_call.id}/script", {})
    assert response.status_code == 302
    db.session.expire_all()
    ticket = db.session.get(Ticket, scripted_call.ticket_id)
    form = db.session.get(FormResponse, ticket.script_response_id)
    assert (form.agent_id, form.language, form.state, form.revision) == (
        agent.id,
        "en",
        "in_progress",
        0,
    )
    assert form.completed_dt is None
    assert form.created_dt <= form.updated_dt
    # The ticket's versioned UPDATE: the next version, the new status and time.
    assert ticket.status == IN_PROGRESS
    assert ticket.version == before[0] + 1
    assert ticket.updated_dt > before[1]
    entries = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "ticket.change", AuditEntry.subject_id == ticket.reference
        )
    ).all()
    assert [(e.actor_id, json.loads(e.details)) for e in entries] == [
        (agent.id, {"fields": ["script_response"]})
    ]
    fed = db.session.execute(select(ExchangeChange.kind, ExchangeChange.subject_id)).all()
    assert {(TICKET, ticket.id), (FORM, form.id)} <= set(fed)


def test_a_script_form_on_a_ticket_changed_since_its_read_is_not_started(
    app, backend, scripted_call, create_user
):
    if not script_start.in_one_statement():
        pytest.skip("the ORM writes the ticket (its own version check)")
    agent = create_user(roles=["agent"])
    ticket = db.session.get(Ticket, scripted_call.ticket_id)
    version = scripts.current_version(scripted_call.campaign.script)
    with Session(db.engine) as other:  # another agent's save lands after the read
        other.get(Ticket, ticket.id).status = IN_PROGRESS
        other.commit()
    reserved = db.session.scalar(
        select(func.nextval(func.pg_get_serial_sequence("form_responses", "id")))
    )
    with pytest.raises(StaleDataError):
        script_start.start_linked_form(version, ticket, agent=agent, response_id=reserved)
    db.session.rollback()
    assert db.session.get(FormResponse, reserved) is None
    assert db.session.get(Ticket, ticket.id).script_response_id is None


def test_the_script_of_a_call_taken_over_cannot_be_opened(client, auth, scripted_call, create_user):
    auth.login_as("agent")
    _claim(client, scripted_call)
    # The lease ran out and another agent took the call.
    other = create_user(roles=["agent"])
    order = db.session.get(CallOrder, scripted_call.id)
    order.lease_until_dt = utcnow() - timedelta(seconds=1)
    db.session.commit()
    taken = operations.claim_next_call(other, now=utcnow())
    db.session.commit()
    assert taken.id == scripted_call.id
    other_lease = _order(scripted_call.id).lease_until_dt

    response = post_form(client, f"/en/calls/orders/{scripted_call.id}/script", {})
    assert response.status_code == 404
    order = _order(scripted_call.id)
    assert (order.state, order.claimed_by_id) == (CLAIMED, other.id)
    assert order.lease_until_dt == other_lease  # the other agent's lease is untouched
    assert order.ticket.script_response_id is None
    assert db.session.scalars(select(FormResponse)).all() == []


def test_a_stale_save_on_the_call_desktop_changes_nothing(client, auth, scripted_call):
    auth.login_as("agent")
    _claim(client, scripted_call)
    post_form(client, f"/en/calls/orders/{scripted_call.id}/script", {})
    url = f"/en/calls/orders/{scripted_call.id}/script/save"
    saved = post_form(client, url, {"called_name": "Griet", "_action": "save", "_revision": "0"})
    assert saved.status_code == 200
    # A second window still at revision 0 saves on top: refused, the first save kept.
    stale = post_form(client, url, {"called_name": "Jan", "_action": "save", "_revision": "0"})
    assert stale.status_code == 409
    assert "These answers were changed in another window." in stale.get_data(as_text=True)
    form = db.session.get(FormResponse, _order(scripted_call.id).ticket.script_response_id)
    assert form.revision == 1
    assert scripts.answers(form)["called_name"] == "Griet"


def _report(client, token, call_id: str, events: dict[str, int]) -> None:
    start = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    for kind, seconds in events.items():
        body = {
            "event_id": f"{call_id}-{kind}",
            "call_id": call_id,
            "type": kind,
            "occurred_at": (start + timedelta(seconds=seconds)).isoformat(),
        }
        response = client.post("/api/v1/call-events", json=body, headers=bearer(token))
        assert response.status_code == 201, response.get_data(as_text=True)


def test_outcomes_get_their_durations_notes_and_feed_rows(
    client, auth, scripted_call, create_api_client, count_queries
):
    _api, token = create_api_client(scopes=[tokens.CALL_EVENTS])
    agent = auth.login_as("agent")
    order_id = scripted_call.id
    outcome_url = f"/en/calls/orders/{order_id}/outcome"

    # First call: it rang 20 seconds and nobody answered (reported before the outcome).
    _claim(client, scripted_call)
    _report(client, token, f"order-{order_id}-1", {"ringing": 0, "ended": 20})
    first = post_form(client, outcome_url, {"outcome": NO_ANSWER, "note": "  Voicemail  "})
    assert first.status_code == 302
    order = _order(order_id)
    order.due_dt = utcnow() - timedelta(minutes=1)  # the retry is due at once
    db.session.commit()

    # Second call: answered after 7 seconds, 42 seconds of talk.
    _claim(client, scripted_call)
    _report(client, token, f"order-{order_id}-2", {"ringing": 0, "answered": 7, "ended": 49})
    with count_queries() as log:
        second = post_form(client, outcome_url, {"outcome": REACHED, "note": "Griet called back"})
    assert second.status_code == 302
    # The attempt is written once, note and durations included: no UPDATE after its INSERT.
    assert not [s for s in log.statements if s.startswith("UPDATE call_attempts")], log.report()

    order = _order(order_id)
    assert (order.state, order.attempts, order.last_outcome) == (DONE, 2, REACHED)
    attempts = db.session.scalars(
        select(CallAttempt).where(CallAttempt.order_id == order_id).order_by(CallAttempt.id)
    ).all()
    assert [(a.outcome, a.agent_id) for a in attempts] == [
        (NO_ANSWER, agent.id),
        (REACHED, agent.id),
    ]
    assert [(a.ring_seconds, a.talk_seconds) for a in attempts] == [(20, None), (7, 42)]
    # Notes are encrypted, each bound to its own attempt, and read back as typed.
    assert all("Griet" not in a.note_enc and "Voicemail" not in a.note_enc for a in attempts)
    assert [operations.attempt_note(a) for a in attempts] == ["Voicemail", "Griet called back"]
    # The export's change feed has both attempts.
    fed = db.session.scalars(
        select(ExchangeChange.subject_id).where(ExchangeChange.kind == ATTEMPT)
    ).all()
    assert set(fed) == {a.id for a in attempts}


def test_a_save_landing_after_the_form_was_read_is_refused(scripted_call, create_user):
    agent = create_user(roles=["agent"])
    version = scripts.current_version(scripted_call.campaign.script)
    form_id = scripts.start_form(version, agent=agent, language="en").id
    db.session.commit()
    form = db.session.get(FormResponse, form_id)  # this request reads it at revision 0
    # Another tab's save, at revision 0 as well, is committed first.
    with Session(db.engine) as other_tab:
        theirs = other_tab.get(FormResponse, form_id)
        scripts.save_answers(theirs, {"called_name": "Jan"}, base_revision=0)
        other_tab.commit()
    with pytest.raises(scripts.StaleAnswers):
        scripts.save_answers(form, {"called_name": "Griet"}, base_revision=0)
    db.session.rollback()
    kept = db.session.get(FormResponse, form_id)
    assert kept.revision == 1
    assert scripts.answers(kept)["called_name"] == "Jan"  # not overwritten


def test_the_desktops_read_gives_the_tickets_attempts_as_their_rows_are(app, make_campaign):
    campaign = make_campaign(name="Attempts read with the call")
    ticket = create_ticket(
        PersonData(first_name="Griet", last_name="Peeters", phone="0470 12 34 56", language="en"),
        actor=None,
        source="test",
    )
    orders = [operations.enqueue(campaign, due_dt=utcnow()) for _ in range(2)]
    for order in orders:
        order.ticket_id = ticket.id
    db.session.flush()
    start = datetime(2026, 12, 7, 9, 30, 1, 123456, tzinfo=UTC)
    for number, (order, callback, anyone, note) in enumerate(
        [
            (orders[0], None, False, None),
            (orders[1], start + timedelta(hours=3), True, 'Call "after" <6>'),
            (orders[0], start + timedelta(days=1, microseconds=7), False, "Sister"),
        ]
    ):
        attempt = CallAttempt(
            order_id=order.id,
            outcome=REACHED if callback is None else "callback",
            started_dt=start + timedelta(minutes=number),
            ended_dt=start + timedelta(minutes=number, seconds=42, microseconds=5),
            callback_dt=callback,
            callback_anyone=anyone,
        )
        db.session.add(attempt)
        db.session.flush()
        attempt.note_enc = encrypt_note(attempt.id, note) if note else None
    lone = operations.enqueue(campaign, due_dt=utcnow())  # no ticket: no attempts read
    db.session.commit()

    query = own_call._own_call_with_attempts(postgresql=db.engine.dialect.name == "postgresql")
    for order in (*orders, lone):
        row = db.session.execute(query, {"order_id": order.id, "agent_id": 0}).first()
        read = own_call._attempt_rows(row[-1])
        if order is lone:
            assert read == []
            continue
        rows = summaries.ticket_attempts(ticket)
        assert len(read) == len(rows) == 3
        for attempt, expected in zip(read, rows, strict=True):
            for name in own_call._ATTEMPT_COLUMNS:
                assert getattr(attempt, name) == getattr(expected, name), name
            assert attempt.started_dt.tzinfo is not None
            assert operations.attempt_note(attempt) == operations.attempt_note(expected)
