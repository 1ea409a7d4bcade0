"""Claiming call orders: priority, due time, calling hours, leases, and no double claims."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from content.extensions import db
from tests.fixtures.calls import claim_concurrently
from tracing_app.calls import claims, operations
from tracing_app.calls.models import CLAIMED, DONE, QUEUED, CallOrder, within_hours

pytestmark = pytest.mark.db

#: 11:00 in Brussels (winter time), within the default calling hours 09:00-20:00.
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
def agent(create_user):
    """An agent."""
    return create_user(roles=["agent"])


@pytest.fixture
def other_agent(create_user):
    """Another agent."""
    return create_user(roles=["agent"])


def _enqueue(campaign, **kwargs):
    kwargs.setdefault("due_dt", NOW - timedelta(hours=1))
    order = operations.enqueue(campaign, **kwargs)
    db.session.commit()
    return order


def test_claims_by_campaign_then_order_priority_then_due_time(make_campaign, agent):
    # Preview campaigns: one agent may hold the four calls (and one more) at once.
    low = make_campaign(priority=0, max_live_calls=5)
    high = make_campaign(priority=5, max_live_calls=5)
    first_due = _enqueue(low, priority=9, due_dt=NOW - timedelta(hours=3))
    urgent_low = _enqueue(low, priority=9, due_dt=NOW - timedelta(hours=1))
    plain_high = _enqueue(high, priority=0)
    urgent_high = _enqueue(high, priority=1)
    claimed = [operations.claim_next_call(agent, now=NOW) for _ in range(4)]
    assert [o.id for o in claimed] == [urgent_high.id, plain_high.id, first_due.id, urgent_low.id]
    assert operations.claim_next_call(agent, now=NOW) is None


def test_claim_sets_the_claim_and_the_lease(make_campaign, agent):
    order = _enqueue(make_campaign(), external_id="HI-1")
    claimed = operations.claim_next_call(agent, now=NOW, lease=timedelta(minutes=3))
    assert claimed.id == order.id
    assert claimed.state == CLAIMED
    assert claimed.claimed_by_id == agent.id
    assert claimed.lease_until_dt == NOW + timedelta(minutes=3)


def test_orders_not_yet_due_wait(make_campaign, agent):
    order = _enqueue(make_campaign(), due_dt=NOW + timedelta(minutes=30))
    assert operations.claim_next_call(agent, now=NOW) is None
    assert operations.claim_next_call(agent, now=NOW + timedelta(minutes=30)).id == order.id


def test_calling_hours_are_local_time(make_campaign, agent):
    campaign = make_campaign(calling_start=time(9, 0), calling_end=time(17, 0))
    order = _enqueue(campaign)
    # 16:30 UTC is 17:30 in Brussels in November: too late.
    assert operations.claim_next_call(agent, now=NOW.replace(hour=16, minute=30)) is None
    assert operations.claim_next_call(agent, now=NOW.replace(hour=15, minute=30)).id == order.id


def test_calling_hours_may_span_midnight():
    assert within_hours(time(22, 0), time(2, 0), time(23, 30))
    assert within_hours(time(22, 0), time(2, 0), time(1, 0))
    assert not within_hours(time(22, 0), time(2, 0), time(12, 0))
    assert not within_hours(time(9, 0), time(17, 0), time(17, 0))


def test_inactive_campaigns_are_skipped(make_campaign, agent, other_agent):
    _enqueue(make_campaign(active=False, priority=10))
    order = _enqueue(make_campaign(priority=0))
    assert operations.claim_next_call(agent, now=NOW).id == order.id
    assert operations.claim_next_call(other_agent, now=NOW) is None


def test_a_live_lease_keeps_the_call_and_an_expired_one_frees_it(make_campaign, agent, other_agent):
    order = _enqueue(make_campaign())
    operations.claim_next_call(agent, now=NOW, lease=timedelta(minutes=10))
    assert operations.claim_next_call(other_agent, now=NOW + timedelta(minutes=9)) is None
    taken = operations.claim_next_call(other_agent, now=NOW + timedelta(minutes=10))
    assert taken.id == order.id
    assert taken.claimed_by_id == other_agent.id
    # The first agent lost the claim: they can no longer complete the call.
    with pytest.raises(operations.NotClaimedByAgent):
        operations.complete_call(taken, agent)


def test_sqlite_refuses_to_claim_over_uncommitted_writes(backend, make_campaign, agent):
    if backend != "sqlite":
        pytest.skip("PostgreSQL claims skip rows locked by the caller's own transaction")
    campaign = make_campaign()
    operations.enqueue(campaign, due_dt=NOW)
    with pytest.raises(operations.UncommittedWrites):
        operations.claim_next_call(agent, now=NOW)


def test_extend_lease_keeps_the_call(make_campaign, agent, other_agent):
    order = _enqueue(make_campaign())
    operations.claim_next_call(agent, now=NOW, lease=timedelta(minutes=10))
    later = NOW + timedelta(minutes=8)
    operations.extend_lease(order, agent, now=later)
    db.session.commit()
    assert order.lease_until_dt == later + operations.DEFAULT_LEASE
    assert operations.claim_next_call(other_agent, now=NOW + timedelta(minutes=12)) is None
    with pytest.raises(operations.NotClaimedByAgent):
        operations.extend_lease(order, other_agent, now=later)


def test_keep_lease_writes_only_when_the_lease_has_run_for_a_while(
    make_campaign, agent, other_agent, count_queries
):
    lease = timedelta(minutes=10)
    order = _enqueue(make_campaign())
    operations.claim_next_call(agent, now=NOW, lease=lease)
    order = db.session.get(CallOrder, order.id)
    soon = NOW + timedelta(seconds=30)
    with count_queries() as log:
        claims.keep_lease(order, agent, now=soon, lease=lease)  # the desktop, seconds later
    assert log.count == 0
    later = NOW + claims.LEASE_SLACK + timedelta(seconds=1)
    claims.keep_lease(order, agent, now=later, lease=lease)
    db.session.commit()
    assert order.lease_until_dt == later + lease
    # A longer lease than asked for (the script's, after the script closed) is shortened.
    claims.keep_lease(order, agent, now=later, lease=timedelta(minutes=2))
    db.session.commit()
    assert order.lease_until_dt == later + timedelta(minutes=2)
    with pytest.raises(operations.NotClaimedByAgent):
        claims.keep_lease(order, other_agent, now=later, lease=lease)


def test_only_the_claimer_completes_or_releases(make_campaign, agent, other_agent):
    order = _enqueue(make_campaign())
    operations.claim_next_call(agent, now=NOW)
    with pytest.raises(operations.NotClaimedByAgent):
        operations.complete_call(order, other_agent)
    with pytest.raises(operations.NotClaimedByAgent):
        operations.release_call(order, other_agent)
    db.session.rollback()  # as the request would
    operations.complete_call(order, agent)
    db.session.commit()
    assert order.state == DONE
    assert order.claimed_by_id == agent.id
    with pytest.raises(operations.NotClaimedByAgent):
        operations.release_call(order, agent)  # done orders are no longer claimed
    db.session.rollback()
    assert operations.claim_next_call(other_agent, now=NOW) is None


def test_released_calls_go_back_to_the_queue(make_campaign, agent, other_agent):
    order = _enqueue(make_campaign())
    operations.claim_next_call(agent, now=NOW)
    operations.release_call(order, agent)
    db.session.commit()
    assert (order.state, order.claimed_by_id, order.lease_until_dt) == (QUEUED, None, None)
    assert operations.claim_next_call(other_agent, now=NOW).id == order.id


def test_concurrent_agents_never_get_the_same_call(app, make_campaign, create_user):
    threads_count, orders_count = 8, 200
    campaigns = [make_campaign(priority=p, max_live_calls=orders_count) for p in range(3)]
    for number in range(orders_count):
        operations.enqueue(
            campaigns[number % 3],
            due_dt=NOW - timedelta(minutes=number % 17),
            priority=number % 5,
        )
    db.session.commit()
    agent_ids = [create_user(roles=["agent"]).id for _ in range(threads_count)]
    claims = claim_concurrently(app, agent_ids, now=NOW)
    claimed_ids = [order_id for ids in claims.values() for order_id in ids]
    assert len(claimed_ids) == orders_count, "every order is claimed once, none twice"
    assert len(set(claimed_ids)) == orders_count
    db.session.expire_all()
    holders = {o.id: (o.state, o.claimed_by_id) for o in db.session.query(CallOrder)}
    expected = {oid: (CLAIMED, agent_id) for agent_id, ids in claims.items() for oid in ids}
    assert holders == expected
