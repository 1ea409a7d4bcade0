"""One live call per agent: "Next call" again shows the held call; the claim's access ends.

Issue #12: an agent (or a script with their session) pressed "Next call" again and again,
held many calls at once and could open every ticket for hours after the lease ended.
"""

from __future__ import annotations

import threading
import time as clock
from datetime import time, timedelta

import pytest
from sqlalchemy import func, select, text, update

from content.auth.models import User, utcnow
from content.extensions import db
from content.items.page_cache import page_cache
from tests.fixtures.calls import CALLS_NOW as NOW
from tests.fixtures.web import csrf_token, post_form, translated
from tracing_app.audit.models import AuditEntry
from tracing_app.calls import operations
from tracing_app.calls.claims import AGENT_CLAIM_LOCK
from tracing_app.calls.models import CLAIMED, QUEUED, CallOrder
from tracing_app.tickets.access import grant_access

pytestmark = pytest.mark.db

HELD_NOTICE = (
    "You still hold this call. Save its outcome or put it back in the queue before you "
    "take the next one."
)


def _live_calls(agent) -> list[int]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(CallOrder.id).where(
                CallOrder.state == CLAIMED, CallOrder.claimed_by_id == agent.id
            )
        )
    )


def test_next_call_while_holding_one_gives_the_held_call_back(
    make_campaign, queue_order, calls_agent
):
    campaign = make_campaign()
    first, second = queue_order(campaign), queue_order(campaign)
    claim = operations.next_call(calls_agent, now=NOW)
    assert (claim.order.id, claim.held) == (first.id, False)
    again = operations.next_call(calls_agent, now=NOW + timedelta(minutes=1))
    assert (again.order.id, again.held) == (first.id, True)
    assert _live_calls(calls_agent) == [first.id]
    assert db.session.get(CallOrder, second.id).state == QUEUED


def test_a_call_that_ended_lets_the_agent_take_the_next(make_campaign, queue_order, calls_agent):
    campaign = make_campaign()
    first, second = queue_order(campaign), queue_order(campaign)
    operations.next_call(calls_agent, now=NOW)
    operations.release_call(first, calls_agent)
    db.session.commit()
    assert operations.next_call(calls_agent, now=NOW).order.id == first.id
    # The lease ran out: the call is no longer live, the agent may claim again.
    later = NOW + operations.DEFAULT_LEASE
    claim = operations.next_call(calls_agent, now=later)
    assert not claim.held
    assert claim.order.id == first.id  # the expired claim comes back first (oldest due)
    operations.complete_call(claim.order, calls_agent)
    db.session.commit()
    assert operations.next_call(calls_agent, now=later).order.id == second.id


def test_a_preview_campaign_allows_more_live_calls(make_campaign, queue_order, calls_agent):
    preview = make_campaign(max_live_calls=2, priority=1)
    plain = make_campaign(priority=0)
    a, b, c = queue_order(preview), queue_order(preview), queue_order(preview)
    queue_order(plain)
    assert operations.next_call(calls_agent, now=NOW).order.id == a.id
    assert operations.next_call(calls_agent, now=NOW).order.id == b.id
    third = operations.next_call(calls_agent, now=NOW)
    assert (third.order.id, third.held) == (a.id, True)
    assert sorted(_live_calls(calls_agent)) == sorted([a.id, b.id])
    assert db.session.get(CallOrder, c.id).state == QUEUED


def test_holding_a_single_call_campaigns_call_stops_preview_claims(
    make_campaign, queue_order, calls_agent
):
    plain = make_campaign(priority=1)
    preview = make_campaign(max_live_calls=3, priority=0)
    held = queue_order(plain)
    queue_order(preview)
    assert operations.next_call(calls_agent, now=NOW).order.id == held.id
    assert operations.next_call(calls_agent, now=NOW).held
    assert _live_calls(calls_agent) == [held.id]


def test_parallel_presses_by_one_agent_claim_one_call(app, make_campaign, queue_order, calls_agent):
    campaign = make_campaign()
    for _ in range(10):
        queue_order(campaign)
    presses, agent_id = 6, calls_agent.id  # the id read here: the threads share no session
    start = threading.Barrier(presses)
    results: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def press() -> None:
        with app.app_context():
            try:
                agent = db.session.get(User, agent_id)
                db.session.rollback()
                start.wait(timeout=30)
                claim = operations.next_call(agent, now=NOW)
                results.append((claim.order.id, claim.held))
            except BaseException as exc:
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=press) for _ in range(presses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(_live_calls(calls_agent)) == 1
    assert {order_id for order_id, _held in results} == set(_live_calls(calls_agent))
    assert sorted(held for _order_id, held in results) == [False] + [True] * (presses - 1)


def _waiting_for_the_agent_lock(agent_id: int) -> bool:
    # pg_advisory_xact_lock(key1, key2) shows in pg_locks as classid, objid (objsubid 2).
    return db.session.scalar(
        text(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
            " AND NOT granted AND classid = :key AND objid = :agent AND objsubid = 2)"
        ),
        {"key": AGENT_CLAIM_LOCK, "agent": agent_id},
    )


def test_a_claim_committed_while_the_press_waits_is_counted(
    app, backend, make_campaign, queue_order, calls_agent
):
    # What the other press of a double click does: hold the agent's claim lock, claim a
    # call for the agent, commit. The waiting press must see that claim when it counts the
    # live calls (the statement after the lock: a statement's snapshot is taken before a
    # lock it waits for), so it shows the held call and claims none.
    campaign = make_campaign()
    first, second = queue_order(campaign), queue_order(campaign)
    agent_id = calls_agent.id
    results: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def press() -> None:
        with app.app_context():
            try:
                agent = db.session.get(User, agent_id)
                db.session.rollback()
                claim = operations.next_call(agent, now=NOW)
                results.append((claim.order_id, claim.held))
            except BaseException as exc:
                errors.append(exc)
            finally:
                db.session.remove()

    thread = threading.Thread(target=press)
    postgresql = backend == "postgresql"
    options = {} if postgresql else {"isolation_level": "AUTOCOMMIT"}
    with db.engine.connect().execution_options(**options) as other:
        if postgresql:
            other.begin()
            other.execute(select(func.pg_advisory_xact_lock(AGENT_CLAIM_LOCK, agent_id)))
        else:
            other.exec_driver_sql("BEGIN IMMEDIATE")  # SQLite's claims queue on the write lock
        thread.start()
        deadline = clock.monotonic() + 10
        if postgresql:
            while not _waiting_for_the_agent_lock(agent_id) and clock.monotonic() < deadline:
                db.session.rollback()
                clock.sleep(0.02)
            assert _waiting_for_the_agent_lock(agent_id)
            db.session.rollback()
        else:
            clock.sleep(0.3)  # well within the busy timeout the press waits
        other.execute(
            update(CallOrder)
            .where(CallOrder.id == second.id)
            .values(
                state=CLAIMED,
                claimed_by_id=agent_id,
                claimed_dt=NOW,
                lease_until_dt=NOW + operations.DEFAULT_LEASE,
            )
        )
        if postgresql:
            other.commit()
        else:
            other.exec_driver_sql("COMMIT")
    thread.join(timeout=30)
    assert errors == []
    assert results == [(second.id, True)]
    assert _live_calls(calls_agent) == [second.id]
    assert db.session.get(CallOrder, first.id).state == QUEUED


# Through the web --------------------------------------------------------------------


@pytest.fixture
def cases(make_campaign, make_ticket):
    """Two due calls of an all-day campaign, each on a ticket."""
    campaign = make_campaign(calling_start=time(0, 0), calling_end=time(0, 0))
    orders = []
    for name in ("Griet", "Jan"):
        ticket = make_ticket(first_name=name)
        order = operations.enqueue(campaign, due_dt=utcnow() - timedelta(minutes=5))
        order.ticket_id = ticket.id
        orders.append(order)
    db.session.commit()
    return orders


def _press_next(client) -> str:
    response = post_form(client, "/en/calls/next", {})
    assert response.status_code == 302
    return response.location


def _claims_audited(agent) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == "calls.claim", AuditEntry.actor_id == agent.id)
    )


def test_next_call_again_shows_the_held_call_with_a_notice(client, auth, cases):
    agent = auth.login_as("agent")
    first = _press_next(client)
    again = _press_next(client)
    assert again == first
    page = client.get(again).get_data(as_text=True)
    assert "You still hold this call." in page
    assert len(_live_calls(agent)) == 1
    assert _claims_audited(agent) == 1  # the second press claimed nothing


#: Statements of "Next call" while holding a call: the session, then the claim's (PostgreSQL:
#: the agent's lock, then state, live calls, claim and state change in one statement;
#: SQLite: BEGIN IMMEDIATE, the claim, why nothing was claimed, the state, COMMIT).
HELD_PRESS_STATEMENTS = {"postgresql": 3, "sqlite": 6}


def test_next_call_while_holding_shows_the_held_call_in_few_statements(
    backend, app, client, auth, cases, count_queries, monkeypatch
):
    monkeypatch.setattr(page_cache(), "check_seconds", 3600)  # as in production
    agent = auth.login_as("agent")
    first = _press_next(client)
    token = csrf_token(client, "/en/calls/")
    with count_queries() as log:
        response = client.post("/en/calls/next", data={"csrf_token": token})
    again = response.location
    assert again == first
    assert log.count <= HELD_PRESS_STATEMENTS[backend], log.report()
    assert "You still hold this call." in client.get(again).get_data(as_text=True)
    assert len(_live_calls(agent)) == 1
    assert _claims_audited(agent) == 1


def test_the_notice_is_translated(client, auth, cases):
    auth.login_as("agent", locale="nl")
    post_form(client, "/nl/calls/next", {})
    response = post_form(client, "/nl/calls/next", {})
    page = client.get(response.location).get_data(as_text=True)
    notice = translated("nl", HELD_NOTICE)
    assert notice != HELD_NOTICE
    assert notice in page


def _ticket_of(order_url: str, cases) -> str:
    order_id = int(order_url.rstrip("/").rsplit("/", 1)[1])
    return next(order.ticket.reference for order in cases if order.id == order_id)


def _denied(agent, reference) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(
            AuditEntry.action == "ticket.open_denied",
            AuditEntry.actor_id == agent.id,
            AuditEntry.subject_id == reference,
        )
    )


@pytest.mark.parametrize("ending", ["release", "outcome", "expiry"])
def test_the_claims_access_to_the_ticket_ends_with_the_call(client, auth, cases, ending):
    agent = auth.login_as("agent")
    location = _press_next(client)
    reference = _ticket_of(location, cases)
    assert client.get(f"/en/tickets/{reference}").status_code == 200
    order_id = int(location.rsplit("/", 1)[1])
    if ending == "release":
        post_form(client, f"/en/calls/orders/{order_id}/release", {})
    elif ending == "outcome":
        post_form(client, f"/en/calls/orders/{order_id}/outcome", {"outcome": "no_answer"})
    else:
        db.session.get(CallOrder, order_id).lease_until_dt = utcnow() - timedelta(seconds=1)
        db.session.commit()
    response = client.get(f"/en/tickets/{reference}")
    assert response.status_code == 404  # as for a guessed reference
    assert _denied(agent, reference) == 1


def test_access_through_a_lookup_stays_after_the_call(client, auth, cases):
    agent = auth.login_as("agent")
    location = _press_next(client)
    reference = _ticket_of(location, cases)
    ticket = next(order.ticket for order in cases if order.ticket.reference == reference)
    grant_access(agent, ticket, reason="lookup")  # what a lookup that found it does
    db.session.commit()
    post_form(client, f"/en/calls/orders/{location.rsplit('/', 1)[1]}/release", {})
    assert client.get(f"/en/tickets/{reference}").status_code == 200
