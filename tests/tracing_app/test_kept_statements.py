"""Statements kept per process: the same for every agent and request, no values of theirs."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BindParameter

from content.extensions import db
from tracing_app.audit import append
from tracing_app.audit import operations as audit
from tracing_app.audit.models import AuditEntry
from tracing_app.calls import claim_sql, claim_state, claims, operations, own_call
from tracing_app.calls.agent_states import AVAILABLE, AgentStatus
from tracing_app.calls.models import CallAttempt, CallOrder
from tracing_app.tickets import summaries

pytestmark = pytest.mark.db

#: 11:00 in Brussels (winter time), within the default calling hours 09:00-20:00.
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def _kept():
    """Every kept statement of the agents' requests (built, if not yet)."""
    statements = [
        claim_sql._statements(agent_state).update(skip_locked=skip)
        for agent_state in (False, True)
        for skip in (False, True)
    ]
    statements += [claim_sql._statements(flag).why_not() for flag in (False, True)]
    statements += [claim_sql._statements(flag).one_statement() for flag in (False, True)]
    statements += list(claim_state._sqlite_statements())
    statements += [append._insert_after_statement(claim=claim) for claim in (False, True)]
    statements.append(
        operations._end_claim_statement(("attempts", "state"), ("attempts",), with_id=True)
    )
    statements += [
        own_call._own_call_query(),
        own_call._own_script_call_query(),
        own_call._own_call_for_script_query(),
        own_call._own_order_query(reserve_attempt=True),
        summaries._ticket_attempts_query(),
    ]
    return statements


def _bound_values(statement) -> list:
    return [
        element.value
        for element in visitors.iterate(statement)
        if isinstance(element, BindParameter) and element.value is not None
    ]


def test_kept_statements_hold_no_values_of_a_request(make_campaign, create_user):
    # Use them first, for two agents: a claim (with the agent's state), an audit entry.
    campaign = make_campaign(max_live_calls=2)
    for _ in range(2):
        operations.enqueue(campaign, due_dt=NOW - timedelta(hours=1))
    agents = [create_user(roles=["agent"]) for _ in range(2)]
    for agent in agents:
        db.session.add(AgentStatus(user_id=agent.id, state=AVAILABLE, since_dt=NOW))
    db.session.commit()
    for agent in agents:
        assert claims.next_call(agent, now=NOW, agent_state=True).order_id is not None
        audit.record("test.kept", actor=agent, subject_type="user", subject_id=agent.id)
        db.session.commit()
    values = [value for statement in _kept() for value in _bound_values(statement)]
    # Constants only (states, limits, the NOTIFY channel): no time, no agent, no entry.
    assert not [value for value in values if isinstance(value, datetime | date | time)]
    assert not {agent.id for agent in agents} & {v for v in values if isinstance(v, int)} - {0, 1}
    labels = set(db.session.scalars(select(AuditEntry.actor_label)))
    hashes = set(db.session.scalars(select(AuditEntry.entry_hash)))
    assert not (labels | hashes) & {v for v in values if isinstance(v, str)}


def test_two_agents_claim_with_one_kept_statement(make_campaign, create_user):
    campaign = make_campaign()
    orders = [operations.enqueue(campaign, due_dt=NOW - timedelta(hours=h)) for h in (2, 1)]
    agents = [create_user(roles=["agent"]) for _ in range(2)]
    db.session.commit()
    first = claims.ClaimStatements(agents[0].id, NOW, timedelta(minutes=5), agent_state=False)
    second = claims.ClaimStatements(agents[1].id, NOW, timedelta(minutes=9), agent_state=False)
    assert first.one_statement() is second.one_statement()
    assert first.params != second.params
    claimed = [claims.claim_next_call(agent, now=NOW) for agent in agents]
    db.session.expire_all()
    assert [order.id for order in claimed] == [order.id for order in orders]
    got = {order.id: (order.claimed_by_id, order.lease_until_dt) for order in claimed}
    assert got == {
        orders[0].id: (agents[0].id, NOW + claims.DEFAULT_LEASE),
        orders[1].id: (agents[1].id, NOW + claims.DEFAULT_LEASE),
    }


def test_an_outcome_with_a_note_and_without_records_each_attempt(make_campaign, create_user):
    # The statement that ends a claim is kept per shape (values set, id reserved or not).
    campaign = make_campaign(max_live_calls=2)
    for _ in range(2):
        operations.enqueue(campaign, due_dt=NOW - timedelta(hours=1))
    agent = create_user(roles=["agent"])
    db.session.commit()
    first = claims.claim_next_call(agent, now=NOW)
    second = claims.claim_next_call(agent, now=NOW)
    operations.record_outcome(first, agent, "reached", now=NOW + timedelta(minutes=1))
    operations.record_outcome(
        second, agent, "no_answer", now=NOW + timedelta(minutes=2), note="Rang twice"
    )
    db.session.commit()
    db.session.expire_all()
    attempts = db.session.scalars(select(CallAttempt).order_by(CallAttempt.id)).all()
    assert [(a.order_id, a.outcome) for a in attempts] == [
        (first.id, "reached"),
        (second.id, "no_answer"),
    ]
    assert operations.attempt_note(attempts[1]) == "Rang twice"
    assert [db.session.get(CallOrder, o.id).attempts for o in (first, second)] == [1, 1]
