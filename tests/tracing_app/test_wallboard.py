"""The supervisors' live wallboard: states, queues, this hour; live through SSE."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from content.auth.models import utcnow
from content.extensions import db
from tracing_app.calls import agent_states
from tracing_app.calls import operations as calls
from tracing_app.calls.wallboard import read_board
from tracing_app.telephony import events

pytestmark = pytest.mark.db


def _report(event_id, call_id, kind, at):
    events.record_event(events.Event(event_id, call_id, kind, at), client_id=None)


def test_the_board_counts_states_queues_and_the_hours_calls(app, create_user, make_campaign):
    now = utcnow()
    ann = create_user(roles=["agent"], display_name="Ann Agent")
    bob = create_user(roles=["agent"], display_name="Bob Agent")
    agent_states.set_state(ann.id, agent_states.AVAILABLE, now=now - timedelta(minutes=7))
    agent_states.set_state(bob.id, agent_states.BREAK, now=now - timedelta(minutes=2))
    campaign = make_campaign(name="Cases", calling_start=time(0), calling_end=time(0))
    oldest = now - timedelta(hours=2)
    calls.enqueue(campaign, due_dt=oldest)
    calls.enqueue(campaign, due_dt=now - timedelta(minutes=1))
    calls.enqueue(campaign, due_dt=now + timedelta(hours=1))  # not due yet
    hour = now.replace(minute=0, second=0, microsecond=0)
    _report("1", "in-1", "ringing", hour)
    _report("2", "in-1", "answered", hour + timedelta(seconds=10))  # within 20 s
    _report("3", "in-2", "ringing", hour)
    _report("4", "in-2", "answered", hour + timedelta(seconds=45))  # too late
    _report("5", "in-3", "ringing", hour)
    _report("6", "in-3", "ended", hour + timedelta(seconds=30))  # abandoned
    db.session.commit()
    board = read_board(now=now)
    assert board.counts["available"] == 1
    assert board.counts["break"] == 1
    ann_row = next(row for row in board.agents if row.name == "Ann Agent")
    assert (ann_row.state, ann_row.seconds) == ("available", 7 * 60)
    [queue] = board.queues
    assert (queue.campaign, queue.due, queue.oldest_due_dt) == ("Cases", 2, oldest)
    assert (board.answered, board.abandoned) == (2, 1)
    assert board.service_level == pytest.approx(1 / 3)


def test_the_page_works_without_javascript(client, auth, create_user):
    agent = create_user(roles=["agent"], display_name="Ann Agent")
    agent_states.set_state(agent.id, agent_states.BREAK, now=utcnow())
    db.session.commit()
    auth.login_as("supervisor")
    page = client.get("/en/calls/wallboard").get_data(as_text=True)
    assert '<noscript><meta http-equiv="refresh"' in page
    assert "Ann Agent" in page
    assert "Service level: no inbound call this hour" in page


def test_a_state_change_reaches_the_open_stream(app, client, auth, create_user, monkeypatch):
    monkeypatch.setitem(app.config, "WALLBOARD_POLL_SECONDS", 0.05)
    monkeypatch.setitem(app.config, "WALLBOARD_STREAM_SECONDS", 10)
    agent = create_user(roles=["agent"], display_name="Cleo Agent")
    agent_states.set_state(agent.id, agent_states.AVAILABLE, now=utcnow())
    db.session.commit()
    auth.login_as("supervisor")
    response = client.get("/en/calls/wallboard/stream", buffered=False)
    assert response.mimetype == "text/event-stream"
    assert response.headers["X-Accel-Buffering"] == "no"
    chunks = iter(response.response)
    first = next(chunks).decode()
    assert first.startswith("retry: 1000\nevent: board\n")
    assert "Cleo Agent" in first
    assert '<tr data-state="available">' in first
    agent_states.set_state(agent.id, agent_states.BREAK, now=utcnow())
    db.session.commit()
    update = next(chunk.decode() for chunk in chunks if chunk.startswith(b"event: board"))
    assert '<tr data-state="break">' in update
    assert "Cleo Agent" in update
    response.close()


def test_the_stream_is_for_supervisors_only(client, auth):
    auth.login_as("agent")
    assert client.get("/en/calls/wallboard/stream").status_code == 403


def test_an_empty_board_has_no_service_level(app):
    board = read_board(now=datetime(2026, 12, 7, 10, tzinfo=UTC))
    assert board.agents == []
    assert board.service_level is None
