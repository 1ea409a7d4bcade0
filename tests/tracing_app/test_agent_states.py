"""Agent states: signing in, calls, wrap-up and breaks; "Next call" only when available."""

from __future__ import annotations

import contextlib
from datetime import time, timedelta

import pytest
from sqlalchemy import event, select

from content.auth.models import utcnow
from content.extensions import db
from tests.fixtures.web import csrf_token, post_form
from tracing_app.calls import agent_states, board
from tracing_app.calls import operations as calls
from tracing_app.calls.agent_states import AgentStateChange
from tracing_app.calls.models import REACHED, CallOrder

pytestmark = pytest.mark.db


@pytest.fixture
def due_call(make_campaign):
    """A due call of a campaign that calls all day."""
    campaign = make_campaign(calling_start=time(0), calling_end=time(0))
    order = calls.enqueue(campaign, due_dt=utcnow() - timedelta(minutes=5))
    db.session.commit()
    return order


def _state(user) -> str:
    db.session.expire_all()
    return agent_states.current(user.id, now=utcnow()).state


def _history(user) -> list[str]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AgentStateChange.state)
            .where(AgentStateChange.user_id == user.id)
            .order_by(AgentStateChange.id)
        )
    )


def test_a_call_takes_the_agent_through_every_state(client, auth, due_call):
    agent = auth.login_as("agent")
    assert _state(agent) == "available"  # signing in
    assert post_form(client, "/en/calls/next", {}).status_code == 302
    assert _state(agent) == "on_call"
    outcome = post_form(client, f"/en/calls/orders/{due_call.id}/outcome", {"outcome": REACHED})
    assert outcome.status_code == 302
    assert _state(agent) == "wrap_up"
    home = client.get("/en/calls/").get_data(as_text=True)
    assert "Ready: next call" in home  # "Next call" ends the wrap-up
    assert post_form(client, "/en/calls/next", {}).status_code == 302
    assert _state(agent) == "available"  # no call was due
    post_form(client, "/en/logout", {})
    assert _state(agent) == "offline"
    assert _history(agent) == ["available", "on_call", "wrap_up", "available", "offline"]


def test_on_a_break_next_call_is_refused(client, auth, due_call):
    agent = auth.login_as("agent")
    response = post_form(client, "/en/calls/state", {"state": "break"})
    assert response.status_code == 302
    home = client.get("/en/calls/").get_data(as_text=True)
    assert "You are: Break" in home
    assert 'id="next-call"' not in home  # no button to press
    refused = post_form(client, "/en/calls/next", {}, follow_redirects=True)
    assert "You are on a break or offline" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(CallOrder, due_call.id).claimed_by_id is None
    post_form(client, "/en/calls/state", {"state": "available"})
    assert post_form(client, "/en/calls/next", {}).location.endswith(f"/orders/{due_call.id}")
    assert _state(agent) == "on_call"


def test_next_call_with_nothing_due_keeps_an_agent_holding_a_preview_call_on_a_call(
    client, auth, make_campaign
):
    preview = make_campaign(calling_start=time(0), calling_end=time(0), max_live_calls=3)
    order = calls.enqueue(preview, due_dt=utcnow() - timedelta(minutes=5))
    db.session.commit()
    agent = auth.login_as("agent")
    assert post_form(client, "/en/calls/next", {}).location.endswith(f"/orders/{order.id}")
    page = post_form(client, "/en/calls/next", {}, follow_redirects=True)
    assert "No call is due right now." in page.get_data(as_text=True)
    assert _state(agent) == "on_call"  # the wallboard does not show them available
    assert _history(agent) == ["available", "on_call"]


def test_next_call_tells_the_wallboard(backend, app, client, auth, due_call):
    # The claim changes the agent's state in its own transaction: PostgreSQL's NOTIFY is
    # sent by that transaction (the board's listeners wake at its commit); SQLite's board
    # polls its version, which the history row changes.
    agent = auth.login_as("agent")
    token = csrf_token(client, "/en/calls/")
    before = board.version()
    with contextlib.ExitStack() as stack:
        pids: set[int] = set()
        notes = []
        if backend == "postgresql":
            import psycopg

            url = db.engine.url.set(drivername="postgresql")
            listening = stack.enter_context(
                psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)
            )
            listening.execute(f"LISTEN {board.CHANNEL}")

            def checked_out(dbapi_connection, _record, _proxy):
                pids.add(dbapi_connection.info.backend_pid)

            event.listen(db.engine, "checkout", checked_out)
            stack.callback(event.remove, db.engine, "checkout", checked_out)
        response = client.post("/en/calls/next", data={"csrf_token": token})
        assert response.location.endswith(f"/orders/{due_call.id}")
        if backend == "postgresql":
            # Other test runs share the database and the channel: only this app's own.
            notes = [n for n in listening.notifies(timeout=2, stop_after=1) if n.pid in pids]
            assert notes, "no NOTIFY from the claim"
    assert _state(agent) == "on_call"
    assert board.version() != before


def test_no_break_while_holding_a_call(client, auth, due_call):
    agent = auth.login_as("agent")
    post_form(client, "/en/calls/next", {})
    page = post_form(client, "/en/calls/state", {"state": "break"}, follow_redirects=True)
    assert "Save the outcome of your call or release it first." in page.get_data(as_text=True)
    assert _state(agent) == "on_call"


def test_a_state_the_agent_may_not_choose_is_refused(client, auth):
    agent = auth.login_as("agent")
    assert post_form(client, "/en/calls/state", {"state": "on_call"}).status_code == 400
    assert _state(agent) == "available"


def test_wrap_up_ends_by_itself_after_its_maximum(app, create_user):
    agent = create_user(roles=["agent"])
    start = utcnow()
    agent_states.set_state(agent.id, agent_states.WRAP_UP, now=start)
    db.session.commit()
    limit = timedelta(minutes=app.config["CALLS_WRAP_UP_MINUTES"])
    assert agent_states.current(agent.id, now=start + limit / 2).state == "wrap_up"
    later = agent_states.current(agent.id, now=start + limit)
    assert (later.state, later.since_dt) == ("available", start + limit)


def test_a_call_ended_while_another_is_held_keeps_the_agent_on_a_call(create_user, due_call):
    # PostgreSQL decides this inside the state's one statement; SQLite asks first.
    agent = create_user(roles=["agent"])
    agent_states.set_state(agent.id, agent_states.AVAILABLE, now=utcnow())
    db.session.commit()
    claimed = calls.claim_next_call(agent, now=utcnow())
    assert claimed.id == due_call.id
    status = agent_states.status_of(agent.id)  # loaded: the one-statement path updates it
    assert agent_states.set_state(agent.id, agent_states.WRAP_UP, now=utcnow(), unless_holding=True)
    assert status.state == "on_call"
    db.session.commit()
    assert _state(agent) == "on_call"
    # Again: no change, no history row.
    assert not agent_states.set_state(
        agent.id, agent_states.WRAP_UP, now=utcnow(), unless_holding=True
    )
    calls.release_call(claimed, agent)
    assert agent_states.set_state(agent.id, agent_states.WRAP_UP, now=utcnow(), unless_holding=True)
    db.session.commit()
    assert _state(agent) == "wrap_up"
    assert _history(agent) == ["available", "on_call", "wrap_up"]
