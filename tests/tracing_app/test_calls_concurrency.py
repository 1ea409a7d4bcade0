"""Many agents at once: no call is ever given to two of them; expired leases come back."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from content.extensions import db
from tests.fixtures.calls import CALLS_NOW as NOW
from tests.fixtures.calls import claim_concurrently
from tracing_app.calls import operations
from tracing_app.calls.models import CLAIMED, CallOrder

pytestmark = pytest.mark.db

THREADS = 50


def _flat(claims):
    return [order_id for ids in claims.values() for order_id in ids]


@pytest.fixture
def agents(create_user):
    return [create_user(roles=["agent"]).id for _ in range(THREADS)]


def test_fifty_agents_claim_300_orders_each_exactly_once(app, make_campaign, agents):
    campaigns = [make_campaign(priority=p, max_live_calls=300) for p in range(3)]
    for number in range(300):
        operations.enqueue(
            campaigns[number % 3], due_dt=NOW - timedelta(minutes=number % 7), priority=number % 4
        )
    db.session.commit()
    claims = claim_concurrently(app, agents, now=NOW)
    claimed = _flat(claims)
    assert len(claimed) == 300
    assert len(set(claimed)) == 300, "no order was given to two agents"
    db.session.expire_all()
    holders = {o.id: (o.state, o.claimed_by_id) for o in db.session.query(CallOrder)}
    assert holders == {oid: (CLAIMED, agent) for agent, ids in claims.items() for oid in ids}


def test_expired_leases_come_back_once_each_under_contention(app, make_campaign, agents):
    campaign = make_campaign(max_live_calls=120)
    for _ in range(120):
        operations.enqueue(campaign, due_dt=NOW - timedelta(minutes=1))
    db.session.commit()
    first = claim_concurrently(app, agents[:5], now=NOW, lease=timedelta(minutes=5))
    assert len(set(_flat(first))) == 120
    # Within the lease nobody else gets any; once it expired, each order comes back once.
    assert _flat(claim_concurrently(app, agents[5:], now=NOW + timedelta(minutes=4))) == []
    again = claim_concurrently(app, agents[5:], now=NOW + timedelta(minutes=5))
    reclaimed = _flat(again)
    assert sorted(reclaimed) == sorted(_flat(first))
    assert not set(again) & set(first)
    assert all(not ids for agent, ids in again.items() if agent in first)


def test_two_outcomes_of_one_call_at_once_record_one_attempt(app, make_campaign, agents):
    from content.auth.models import User
    from tracing_app.calls.models import DONE, REACHED, CallAttempt

    operations.enqueue(make_campaign(), due_dt=NOW - timedelta(minutes=1))
    db.session.commit()
    order_id = operations.claim_next_call(db.session.get(User, agents[0]), now=NOW).id
    db.session.commit()
    results: list[str] = []
    start = threading.Barrier(2)

    def record(note: str) -> None:
        # Two tabs of the agent send the outcome at the same moment.
        with app.app_context():
            try:
                agent = db.session.get(User, agents[0])
                order = db.session.get(CallOrder, order_id)
                start.wait(timeout=30)
                operations.record_outcome(order, agent, REACHED, now=NOW, note=note)
                db.session.commit()
                results.append("recorded")
            except operations.NotClaimedByAgent:
                results.append("refused")
            except BaseException as exc:
                results.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=record, args=(f"tab {n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == ["recorded", "refused"]
    db.session.expire_all()
    order = db.session.get(CallOrder, order_id)
    assert (order.state, order.attempts) == (DONE, 1)
    attempts = db.session.scalars(select(CallAttempt).where(CallAttempt.order_id == order_id))
    assert [operations.attempt_note(a) for a in attempts] in (["tab 1"], ["tab 2"])
