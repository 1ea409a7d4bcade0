"""Outcomes of calls: retry rules, maximum attempts, callbacks for the same agent or anyone."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from content.extensions import db
from tests.fixtures.calls import CALLS_NOW as NOW
from tracing_app.audit.models import AuditEntry
from tracing_app.calls import operations
from tracing_app.calls.models import (
    BUSY,
    CALLBACK,
    DONE,
    NO_ANSWER,
    NOT_REACHED,
    QUEUED,
    REACHED,
    REFUSED,
    WRONG_NUMBER,
    CallAttempt,
)

pytestmark = pytest.mark.db


def _call(agent, outcome, *, now=NOW, **kwargs):
    order = operations.claim_next_call(agent, now=now)
    assert order is not None, "a call was due"
    attempt = operations.record_outcome(
        order, agent, outcome, now=now + timedelta(minutes=4), **kwargs
    )
    db.session.commit()
    return order, attempt


@pytest.mark.parametrize("outcome", [REACHED, REFUSED])
def test_reached_and_refused_close_the_order(make_campaign, queue_order, calls_agent, outcome):
    order = queue_order(make_campaign())
    _, attempt = _call(calls_agent, outcome)
    assert (order.state, order.last_outcome, order.attempts) == (DONE, outcome, 1)
    assert order.closed_dt == NOW + timedelta(minutes=4)
    assert (attempt.started_dt, attempt.ended_dt) == (NOW, NOW + timedelta(minutes=4))
    assert operations.claim_next_call(calls_agent, now=NOW + timedelta(days=1)) is None


def test_the_retry_rule_of_the_outcome_sets_the_next_try(make_campaign, queue_order, calls_agent):
    campaign = make_campaign(retry_rules_json=json.dumps({"no_answer": 60, "busy": 10}))
    order = queue_order(campaign)
    _call(calls_agent, BUSY)
    assert (order.state, order.claimed_by_id) == (QUEUED, None)
    assert order.due_dt == NOW + timedelta(minutes=14)
    assert operations.claim_next_call(calls_agent, now=NOW + timedelta(minutes=13)) is None
    db.session.rollback()
    _call(calls_agent, NO_ANSWER, now=NOW + timedelta(minutes=14))
    assert order.due_dt == NOW + timedelta(minutes=14 + 4 + 60)
    assert order.attempts == 2


def test_max_attempts_puts_the_order_on_the_not_reached_list(
    make_campaign, queue_order, calls_agent
):
    campaign = make_campaign(max_attempts=2, retry_rules_json=json.dumps({"no_answer": 0}))
    order = queue_order(campaign)
    _call(calls_agent, NO_ANSWER)
    assert order.state == QUEUED
    _call(calls_agent, NO_ANSWER, now=NOW + timedelta(minutes=5))
    assert (order.state, order.attempts) == (NOT_REACHED, 2)
    assert operations.claim_next_call(calls_agent, now=NOW + timedelta(hours=5)) is None
    assert [o.id for o in operations.not_reached_orders(campaign)] == [order.id]


def test_a_wrong_number_is_not_retried_by_default(make_campaign, queue_order, calls_agent):
    order = queue_order(make_campaign(max_attempts=5))
    _call(calls_agent, WRONG_NUMBER)
    assert (order.state, order.attempts) == (NOT_REACHED, 1)


def test_callback_for_the_same_agent_waits_for_them_until_the_grace_ends(
    make_campaign, queue_order, calls_agent, calls_other_agent
):
    order = queue_order(make_campaign(callback_grace_minutes=30))
    at = NOW + timedelta(hours=2)
    _, attempt = _call(calls_agent, CALLBACK, callback_dt=at, callback_anyone=False)
    assert (attempt.callback_dt, attempt.callback_anyone) == (at, False)
    assert (order.state, order.due_dt, order.reserved_for_id) == (QUEUED, at, calls_agent.id)
    # Not before its time, and not for another agent within the grace period.
    assert operations.claim_next_call(calls_agent, now=at - timedelta(minutes=1)) is None
    assert operations.claim_next_call(calls_other_agent, now=at + timedelta(minutes=29)) is None
    # After the grace period anyone may call back.
    taken = operations.claim_next_call(calls_other_agent, now=at + timedelta(minutes=30))
    assert taken.id == order.id


def test_a_promised_callback_comes_before_other_due_calls(make_campaign, queue_order, calls_agent):
    low, high = make_campaign(priority=0), make_campaign(priority=9)
    promised = queue_order(low)
    at = NOW + timedelta(hours=1)
    _call(calls_agent, CALLBACK, callback_dt=at)
    queue_order(high)
    assert operations.claim_next_call(calls_agent, now=at).id == promised.id


def test_callback_for_anyone(make_campaign, queue_order, calls_agent, calls_other_agent):
    order = queue_order(make_campaign())
    at = NOW + timedelta(hours=1)
    _call(calls_agent, CALLBACK, callback_dt=at, callback_anyone=True)
    assert order.reserved_for_id is None
    assert operations.claim_next_call(calls_other_agent, now=at).id == order.id


def test_a_callback_needs_a_time_in_the_future(make_campaign, queue_order, calls_agent):
    queue_order(make_campaign())
    order = operations.claim_next_call(calls_agent, now=NOW)
    with pytest.raises(operations.CallError):
        operations.record_outcome(order, calls_agent, CALLBACK, now=NOW)
    with pytest.raises(operations.CallError):
        operations.record_outcome(order, calls_agent, CALLBACK, now=NOW, callback_dt=NOW)
    with pytest.raises(operations.CallError):
        operations.record_outcome(order, calls_agent, "lost", now=NOW)


def test_only_the_claimer_records_an_outcome(
    make_campaign, queue_order, calls_agent, calls_other_agent
):
    queue_order(make_campaign())
    order = operations.claim_next_call(calls_agent, now=NOW)
    with pytest.raises(operations.NotClaimedByAgent):
        operations.record_outcome(order, calls_other_agent, REACHED, now=NOW)
    db.session.rollback()
    assert db.session.scalars(select(CallAttempt)).all() == []


def test_an_expired_lease_puts_the_call_back_without_counting_an_attempt(
    make_campaign, queue_order, calls_agent, calls_other_agent
):
    order = queue_order(make_campaign())
    operations.claim_next_call(calls_agent, now=NOW)
    db.session.rollback()
    taken = operations.claim_next_call(calls_other_agent, now=NOW + operations.DEFAULT_LEASE)
    assert (taken.id, taken.attempts) == (order.id, 0)


def test_notes_are_encrypted_at_rest_and_outcomes_audited(make_campaign, queue_order, calls_agent):
    order = queue_order(make_campaign())
    _, attempt = _call(calls_agent, NO_ANSWER, note="Voicemail of Griet, call after 6")
    assert "Griet" not in attempt.note_enc
    assert operations.attempt_note(attempt) == "Voicemail of Griet, call after 6"
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "calls.outcome")).one()
    assert entry.subject_id == str(order.id)
    assert "Griet" not in entry.details


def test_keys_rotate_reencrypts_the_notes(app, runner, make_campaign, queue_order, calls_agent):
    from tracing_app.protection.keyfile import key_file_path
    from tracing_app.protection.keyring import current_key_ring, forget_key_ring

    path = key_file_path(app.instance_path)
    saved = path.read_bytes()
    try:
        queue_order(make_campaign())
        _, attempt = _call(calls_agent, NO_ANSWER, note="Called Griet's sister")
        old_id = current_key_ring().current_id
        result = runner.invoke(args=["keys", "rotate"])
        assert result.exit_code == 0, result.output
        assert "call_attempts: 1 rows re-encrypted" in result.output
        new_id = current_key_ring().current_id
        db.session.expire_all()
        attempt = db.session.get(CallAttempt, attempt.id)
        assert attempt.note_enc.startswith(f"v1:{new_id}:")
        assert new_id != old_id
        assert operations.attempt_note(attempt) == "Called Griet's sister"
    finally:
        path.write_bytes(saved)
        forget_key_ring(app)


def test_a_campaigns_new_priority_reaches_its_queued_orders(
    make_campaign, queue_order, calls_agent
):
    low, high = make_campaign(priority=0), make_campaign(priority=5)
    first_low = queue_order(low)
    queue_order(high)
    operations.update_campaign(low, priority=9, retry_rules={"no_answer": 30})
    db.session.commit()
    assert low.retry_rules == {"no_answer": 30, "busy": None, "wrong_number": None}
    assert operations.claim_next_call(calls_agent, now=NOW).id == first_low.id
