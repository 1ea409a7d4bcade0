"""Call orders: queueing, outcomes and retries, campaigns and lists.

Claiming ("Next call", the lease, releasing and completing a claimed call) lives in
:mod:`tracing_app.calls.claims`; its names are re-exported here for callers of this
module. See docs/call-lists.md.
"""

from __future__ import annotations

import functools
import json
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, insert, null, select, update
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.expression import ClauseElement

from content.extensions import db
from content.i18n import _
from tracing_app.audit import operations as audit
from tracing_app.calls import notes
from tracing_app.calls.claims import (  # noqa: F401 (re-exported)
    AGENT_CLAIM_LOCK,
    CLAIM_ACTION,
    DEFAULT_LEASE,
    Claim,
    NotClaimedByAgent,
    UncommittedWrites,
    _update_own_claim,
    claim_next_call,
    claim_updated,
    complete_call,
    extend_lease,
    next_call,
    own_claim_update,
    release_call,
)
from tracing_app.calls.models import (
    CALLBACK,
    CLAIMED,
    DONE,
    NOT_REACHED,
    OUTCOMES,
    QUEUED,
    REACHED,
    REFUSED,
    RETRY_OUTCOMES,
    CallAttempt,
    CallOrder,
    Campaign,
)
from tracing_app.telephony import events as call_events


def enqueue(
    campaign: Campaign, *, due_dt: datetime, priority: int = 0, external_id: str | None = None
) -> CallOrder:
    """Add a queued call order to a campaign; flushed, not committed."""
    order = CallOrder(
        campaign=campaign,
        campaign_priority=campaign.priority,
        due_dt=due_dt,
        priority=priority,
        external_id=external_id,
        state=QUEUED,
        attempts=0,
    )
    db.session.add(order)
    db.session.flush()
    return order


# Outcomes and retries ------------------------------------------------------------------


class CallError(ValueError):
    """A rule of call outcomes was broken; the message is translated and safe to show."""


def record_outcome(
    order: CallOrder,
    agent,
    outcome: str,
    *,
    now: datetime,
    note: str | None = None,
    callback_dt: datetime | None = None,
    callback_anyone: bool = False,
    attempt_id: int | None = None,
) -> CallAttempt:
    """Record how a call ended and schedule what comes next; flushed, not committed.

    - ``reached`` and ``refused`` close the order (``done``).
    - ``callback`` queues it again at ``callback_dt``; unless ``callback_anyone``, only
      this agent may claim it until ``callback_dt`` + the campaign's grace period.
    - ``no_answer``, ``busy`` and ``wrong_number`` follow the campaign's retry rule: due
      again after the rule's delay, or ``not_reached`` when the rule says not to retry
      or the order has had ``max_attempts`` calls.

    The attempt gets the durations the telephony reported already (docs/telephony.md).

    :param attempt_id: an id reserved for the attempt (a sequence value): its encrypted
        note is then inserted with the row.
    :raise CallError: for an unknown outcome or a callback time missing or in the past.
    :raise NotClaimedByAgent: if ``agent`` does not hold the claim.
    """
    if outcome not in OUTCOMES:
        raise CallError(_("Choose how the call ended."))
    if outcome == CALLBACK and (callback_dt is None or callback_dt <= now):
        raise CallError(_("Give a callback time in the future."))
    campaign = order.campaign
    attempts = order.attempts + 1
    values: dict = {
        "attempts": _SQL_VALUES["attempts"],
        "last_outcome": outcome,
        "lease_until_dt": None,
        "reserved_for_id": None,
        "reserved_until_dt": None,
    }
    if outcome in (REACHED, REFUSED):
        values.update(state=DONE, closed_dt=now)
    elif outcome == CALLBACK:
        values.update(state=QUEUED, claimed_by_id=None, due_dt=callback_dt)
        if not callback_anyone:
            grace = timedelta(minutes=campaign.callback_grace_minutes)
            values.update(reserved_for_id=agent.id, reserved_until_dt=callback_dt + grace)
    else:
        delay = campaign.retry_rules.get(outcome)
        if delay is None or attempts >= campaign.max_attempts:
            values.update(state=NOT_REACHED, closed_dt=now)
        else:
            values.update(state=QUEUED, claimed_by_id=None, due_dt=now + timedelta(minutes=delay))
    note = note.strip() if note else None
    attempt = CallAttempt(
        id=attempt_id,
        order_id=order.id,
        agent_id=agent.id,
        outcome=outcome,
        started_dt=order.claimed_dt or now,
        ended_dt=now,
        callback_dt=callback_dt if outcome == CALLBACK else None,
        callback_anyone=bool(callback_anyone) if outcome == CALLBACK else False,
    )
    if db.session.get_bind().dialect.name == "postgresql":
        if note and attempt_id is not None:  # inserted with the row
            attempt.note_enc = notes.encrypt_note(attempt_id, note)
        _end_claim_on_postgresql(order, agent, values, attempt)
    else:
        _end_claim_on_sqlite(order, agent, values, attempt, note=note)
    if note and attempt.note_enc is None:  # no id was reserved: an UPDATE of the new row
        attempt.note_enc = notes.encrypt_note(attempt.id, note)
    audit.record(
        "calls.outcome",
        actor=agent,
        subject_type="call_order",
        subject_id=order.id,
        details={"outcome": outcome, "attempt": attempts, "state": order.state},
    )
    return attempt


def _attempt_number(order_id):
    """The number of the attempt being recorded: the order's attempts so far, plus one."""
    table = CallAttempt.__table__
    return select(func.count() + 1).select_from(table).where(table.c.order_id == order_id)


def _end_claim_on_postgresql(order: CallOrder, agent, values: dict, attempt: CallAttempt) -> None:
    """The order's UPDATE and the attempt's INSERT, in one statement (PostgreSQL).

    The INSERT reads the order the UPDATE returns (none if the claim is no longer the
    agent's), and the durations the telephony reported for the attempt's number.
    """
    sql_values = tuple(key for key, value in values.items() if isinstance(value, ClauseElement))
    if any(values[key] is not _SQL_VALUES.get(key) for key in sql_values):
        raise ValueError(f"the kept statement sets only these with SQL: {list(_SQL_VALUES)}")
    params = {f"set_{key}": value for key, value in values.items() if key not in sql_values}
    params.update({f"attempt_{key}": getattr(attempt, key) for key in _ATTEMPT_KEYS})
    params.update(end_order=order.id, end_agent=agent.id)
    statement = _end_claim_statement(tuple(values), sql_values, attempt.id is not None)
    row = db.session.execute(statement, params).first()
    if row is None:
        raise NotClaimedByAgent(f"call order {order.id} is not claimed by user {agent.id}")
    claim_updated(order, values)
    attempt.id, attempt.ring_seconds, attempt.talk_seconds = row
    # The change feed's row comes from the table's trigger (docs/exchange.md).
    # The row is written: the attempt joins the session as if read, with its order.
    make_transient_to_detached(attempt)
    db.session.add(attempt)
    set_committed_value(attempt, "order", order)


#: The order's values an outcome sets with SQL (the same expression each time: the
#: statement that ends the claim is kept per process with it).
_SQL_VALUES = {"attempts": CallOrder.attempts + 1}
#: The attempt's columns the statement that ends the claim gets as values.
_ATTEMPT_KEYS = [
    column.key
    for column in CallAttempt.__table__.columns
    if column.key not in ("order_id", "ring_seconds", "talk_seconds")
]


@functools.cache
def _end_claim_statement(keys: tuple[str, ...], sql_values: tuple[str, ...], with_id: bool):
    """The statement of :func:`_end_claim_on_postgresql`, built once per process and shape.

    ``keys``: the order's columns it sets (``sql_values`` of them from :data:`_SQL_VALUES`),
    each else the parameter ``set_<key>``; the attempt's columns are ``attempt_<key>``
    (``id`` only ``with_id``), the order and agent ``end_order`` and ``end_agent``. Kept:
    building it and walking it for SQLAlchemy's cache key cost more than running it.
    """
    orders, table = CallOrder.__table__, CallAttempt.__table__
    claim = (
        update(orders)
        .where(
            orders.c.id == bindparam("end_order", type_=orders.c.id.type),
            orders.c.state == CLAIMED,
            orders.c.claimed_by_id == bindparam("end_agent", type_=orders.c.claimed_by_id.type),
        )
        .values(
            {
                key: _SQL_VALUES[key]
                if key in sql_values
                else bindparam(f"set_{key}", type_=orders.c[key].type)
                for key in keys
            }
        )
        .returning(orders.c.id)
        .cte("claim")
    )
    number = _attempt_number(claim.c.id).correlate(claim).scalar_subquery()
    ring, talk = call_events.reported_durations(claim.c.id, number)
    columns = {
        column.key: bindparam(f"attempt_{column.key}", type_=column.type)
        for column in table.columns
        if column.key != "id" or with_id
    }
    columns.update(order_id=claim.c.id, ring_seconds=ring, talk_seconds=talk)
    return (
        insert(table)
        .from_select(list(columns), select(*columns.values()).select_from(claim))
        .returning(table.c.id, table.c.ring_seconds, table.c.talk_seconds)
    )


def _end_claim_on_sqlite(
    order: CallOrder, agent, values: dict, attempt: CallAttempt, *, note: str | None
) -> None:
    """The order's UPDATE returns what the attempt's INSERT needs (SQLite).

    The UPDATE takes the database's single write lock, held until the commit: no call
    event and no other attempt is written meanwhile, so what it returns stays true: the
    times the telephony reported for the attempt's number, and (for a ``note``, bound to
    the row id) the id after the largest, SQLite's own choice.
    """
    table = CallAttempt.__table__
    number = _attempt_number(order.id).scalar_subquery()
    next_id = select(func.coalesce(func.max(table.c.id), 0) + 1).scalar_subquery()
    row = db.session.execute(
        own_claim_update(order, agent, values).returning(
            next_id if note else null(), *call_events.reported_times(order.id, number)
        )
    ).first()
    if row is None:
        raise NotClaimedByAgent(f"call order {order.id} is not claimed by user {agent.id}")
    claim_updated(order, values)
    if note:
        attempt.id = row[0]
        attempt.note_enc = notes.encrypt_note(attempt.id, note)
    attempt.ring_seconds, attempt.talk_seconds = call_events.durations(*row[1:])
    attempt.order = order
    db.session.add(attempt)
    db.session.flush()


def attempt_note(attempt: CallAttempt) -> str | None:
    """Return an attempt's note in clear (for the agent's and supervisor's screens)."""
    return notes.decrypt_note(attempt.id, attempt.note_enc)


# Campaigns and lists --------------------------------------------------------------------


def update_campaign(campaign: Campaign, **values) -> Campaign:
    """Change a campaign's settings; flushed, not committed.

    ``retry_rules`` (``{outcome: minutes or None}``) is stored as JSON. A new priority is
    copied onto the campaign's orders, which the claim sorts on.
    """
    rules = values.pop("retry_rules", None)
    if rules is not None:
        campaign.retry_rules_json = json.dumps(
            {outcome: rules.get(outcome) for outcome in RETRY_OUTCOMES}, sort_keys=True
        )
    for name, value in values.items():
        setattr(campaign, name, value)
    db.session.add(campaign)
    db.session.flush()
    db.session.execute(
        update(CallOrder)
        .where(CallOrder.campaign_id == campaign.id)
        .values(campaign_priority=campaign.priority)
        .execution_options(synchronize_session=False)
    )
    return campaign


def list_campaigns() -> list[Campaign]:
    """Return every campaign, highest priority first."""
    return list(
        db.session.scalars(select(Campaign).order_by(Campaign.priority.desc(), Campaign.name))
    )


def contacts_campaign() -> Campaign | None:
    """Return the active campaign that receives the contacts named by cases, if any."""
    return db.session.scalars(
        select(Campaign)
        .where(Campaign.receives_contacts, Campaign.active)
        .order_by(Campaign.priority.desc(), Campaign.id)
        .limit(1)
    ).first()


def not_reached_orders(campaign: Campaign | None = None, *, limit: int = 500) -> list[CallOrder]:
    """Return the orders given up as not reached, most recent first."""
    query = select(CallOrder).where(CallOrder.state == NOT_REACHED)
    if campaign is not None:
        query = query.where(CallOrder.campaign_id == campaign.id)
    return list(db.session.scalars(query.order_by(CallOrder.closed_dt.desc()).limit(limit)))


def requeue(order: CallOrder, *, now: datetime, actor) -> CallOrder:
    """Give a not-reached order one more try now (a supervisor's decision); flushed."""
    if order.state != NOT_REACHED:
        raise CallError(_("Only calls not reached can be queued again."))
    order.state = QUEUED
    order.due_dt = now
    order.closed_dt = None
    order.claimed_by_id = None
    # Exactly one more try before the maximum applies again.
    order.attempts = max(0, min(order.attempts, order.campaign.max_attempts - 1))
    audit.record("calls.requeue", actor=actor, subject_type="call_order", subject_id=order.id)
    db.session.flush()
    return order


def order_attempts(order: CallOrder) -> list[CallAttempt]:
    """Return the order's attempts, oldest first."""
    return list(order.call_attempts)
