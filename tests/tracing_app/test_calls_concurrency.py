"""Many agents at once: no call is ever given to two of them; expired leases come back."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from content.auth.models import User
from content.extensions import db
from tests.fixtures.calls import CALLS_NOW as NOW
from tracing_app.calls import operations
from tracing_app.calls.models import CLAIMED, CallOrder

pytestmark = pytest.mark.db

THREADS = 50


def _claim_all(app, agent_ids, *, now, lease=operations.DEFAULT_LEASE):
    """Let every agent claim in a loop from a common start; return {agent: [order ids]}."""
    claims: dict[int, list[int]] = {agent_id: [] for agent_id in agent_ids}
    errors: list[BaseException] = []
    start = threading.Barrier(len(agent_ids))

    def work(agent_id: int) -> None:
        with app.app_context():
            try:
                agent = db.session.get(User, agent_id)
                db.session.rollback()
                start.wait(timeout=60)
                while (
                    order := operations.claim_next_call(agent, now=now, lease=lease)
                ) is not None:
                    claims[agent_id].append(order.id)
                    db.session.rollback()  # return the session's connection
            except BaseException as exc:
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(agent_id,)) for agent_id in agent_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    return claims


def _flat(claims):
    return [order_id for ids in claims.values() for order_id in ids]


@pytest.fixture
def agents(create_user):
    return [create_user(roles=["agent"]).id for _ in range(THREADS)]


def test_fifty_agents_claim_300_orders_each_exactly_once(app, make_campaign, agents):
    campaigns = [make_campaign(priority=p) for p in range(3)]
    for number in range(300):
        operations.enqueue(
            campaigns[number % 3], due_dt=NOW - timedelta(minutes=number % 7), priority=number % 4
        )
    db.session.commit()
    claims = _claim_all(app, agents, now=NOW)
    claimed = _flat(claims)
    assert len(claimed) == 300
    assert len(set(claimed)) == 300, "no order was given to two agents"
    db.session.expire_all()
    holders = {o.id: (o.state, o.claimed_by_id) for o in db.session.query(CallOrder)}
    assert holders == {oid: (CLAIMED, agent) for agent, ids in claims.items() for oid in ids}


def test_expired_leases_come_back_once_each_under_contention(app, make_campaign, agents):
    campaign = make_campaign()
    for _ in range(120):
        operations.enqueue(campaign, due_dt=NOW - timedelta(minutes=1))
    db.session.commit()
    first = _claim_all(app, agents[:5], now=NOW, lease=timedelta(minutes=5))
    assert len(set(_flat(first))) == 120
    # Within the lease nobody else gets any; once it expired, each order comes back once.
    assert _flat(_claim_all(app, agents[5:], now=NOW + timedelta(minutes=4))) == []
    again = _claim_all(app, agents[5:], now=NOW + timedelta(minutes=5))
    reclaimed = _flat(again)
    assert sorted(reclaimed) == sorted(_flat(first))
    assert not set(again) & set(first)
    assert all(not ids for agent, ids in again.items() if agent in first)
