"""Claiming call orders: one agent per call, under a lease, on SQLite and PostgreSQL.

A claim runs in a short transaction of its own, on a connection of its own, so that
the row lock (PostgreSQL) or the write lock (SQLite) is held for a few milliseconds and
never for the length of a request. See docs/call-lists.md.
"""

from __future__ import annotations

import time as clock
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Connection, and_, or_, select, update
from sqlalchemy.exc import OperationalError

from content.extensions import db
from tracing_app.calls.models import (
    CLAIMED,
    DONE,
    QUEUED,
    CallOrder,
    Campaign,
    within_hours,
)

DEFAULT_LEASE = timedelta(minutes=10)
#: Tries of ``BEGIN IMMEDIATE`` on SQLite; each already waits up to the busy timeout.
SQLITE_BEGIN_TRIES = 3


class NotClaimedByAgent(Exception):
    """The call order is not (or no longer) claimed by this agent."""


class UncommittedWrites(RuntimeError):
    """A claim was asked while ``db.session`` holds an open write transaction on SQLite."""


def enqueue(
    campaign: Campaign, *, due_dt: datetime, priority: int = 0, external_id: str | None = None
) -> CallOrder:
    """Add a queued call order to a campaign; flushed, not committed."""
    order = CallOrder(
        campaign=campaign,
        due_dt=due_dt,
        priority=priority,
        external_id=external_id,
        state=QUEUED,
        attempts=0,
    )
    db.session.add(order)
    db.session.flush()
    return order


def claim_next_call(agent, *, now: datetime, lease: timedelta = DEFAULT_LEASE) -> CallOrder | None:
    """Claim the most urgent due call for ``agent`` and commit the claim at once.

    Candidates are queued orders of active campaigns within their calling hours, and
    claimed orders whose lease has expired. Order: campaign priority, order priority
    (both highest first), due time, id.

    :param now: the current time, timezone-aware.
    :return: the claimed order, loaded in ``db.session``, or ``None`` if nothing is due.
    :raise UncommittedWrites: on SQLite, if ``db.session`` has written without committing.
    """
    if db.engine.dialect.name == "sqlite":
        _refuse_open_sqlite_write()
        order_id = _claim_on_sqlite(agent.id, now, lease)
    else:
        # READ COMMITTED + FOR UPDATE SKIP LOCKED: concurrent claimers lock different
        # rows instead of queueing on the same one; the commit releases the lock.
        with db.engine.begin() as conn:
            order_id = _pick_and_claim(conn, agent.id, now, lease, lock=True)
    if order_id is None:
        return None
    return db.session.get(CallOrder, order_id, populate_existing=True)


def _refuse_open_sqlite_write() -> None:
    # The session's own write lock would make BEGIN IMMEDIATE below wait for this very
    # thread until the busy timeout: fail at once with a clear message instead.
    session = db.session()  # the scoped session does not proxy in_transaction()
    if not session.in_transaction():
        return
    if session.connection().connection.dbapi_connection.in_transaction:
        raise UncommittedWrites(
            "commit or roll back db.session before claiming a call: on SQLite its open "
            "write transaction holds the lock the claim needs"
        )


def _claim_on_sqlite(agent_id: int, now: datetime, lease: timedelta) -> int | None:
    # pysqlite opens transactions itself, lazily and DEFERRED (and only before writes),
    # so two claimers could both read the same queued row before either writes. On a
    # dedicated connection in AUTOCOMMIT mode (pysqlite's isolation_level=None, reset by
    # the pool when the connection is returned) we issue BEGIN IMMEDIATE ourselves: it
    # takes the database's single write lock before the SELECT, so claimers run one after
    # the other and each sees the previous one's claim. The global engine is untouched.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        _begin_immediate(conn)
        try:
            order_id = _pick_and_claim(conn, agent_id, now, lease, lock=False)
        except BaseException:
            conn.exec_driver_sql("ROLLBACK")
            raise
        conn.exec_driver_sql("COMMIT")
    return order_id


def _begin_immediate(conn: Connection) -> None:
    # BEGIN IMMEDIATE waits up to the busy timeout (PRAGMA busy_timeout, content/db.py)
    # for the write lock; a claim holds it for milliseconds, so "database is locked"
    # means a long writer elsewhere. Retry a bounded number of times, then let it raise.
    for attempt in range(1, SQLITE_BEGIN_TRIES + 1):
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except OperationalError as exc:
            if attempt == SQLITE_BEGIN_TRIES or "locked" not in str(exc.orig):
                raise
            clock.sleep(0.01 * attempt)


def _pick_and_claim(
    conn: Connection, agent_id: int, now: datetime, lease: timedelta, *, lock: bool
) -> int | None:
    local = now.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).time()
    campaigns = conn.execute(
        select(Campaign.id, Campaign.calling_start, Campaign.calling_end).where(Campaign.active)
    ).all()
    campaign_ids = [c.id for c in campaigns if within_hours(c.calling_start, c.calling_end, local)]
    if not campaign_ids:
        return None
    query = (
        select(CallOrder.id)
        .join(Campaign, Campaign.id == CallOrder.campaign_id)
        .where(
            CallOrder.campaign_id.in_(campaign_ids),
            CallOrder.due_dt <= now,
            or_(
                CallOrder.state == QUEUED,
                and_(CallOrder.state == CLAIMED, CallOrder.lease_until_dt <= now),
            ),
        )
        .order_by(
            Campaign.priority.desc(), CallOrder.priority.desc(), CallOrder.due_dt, CallOrder.id
        )
        .limit(1)
    )
    if lock:
        # Lock the order row only: locking the campaign row too would make every other
        # claimer skip the whole campaign.
        query = query.with_for_update(skip_locked=True, of=CallOrder.__table__)
    order_id = conn.execute(query).scalar()
    if order_id is not None:
        conn.execute(
            update(CallOrder.__table__)
            .where(CallOrder.__table__.c.id == order_id)
            .values(state=CLAIMED, claimed_by_id=agent_id, lease_until_dt=now + lease)
        )
    return order_id


def _update_own_claim(order: CallOrder, agent, **values) -> CallOrder:
    # One conditional UPDATE, not read-check-write: if the lease expired and another
    # agent claimed the order meanwhile, nothing is changed and the caller is told.
    result = db.session.execute(
        update(CallOrder)
        .where(
            CallOrder.id == order.id,
            CallOrder.state == CLAIMED,
            CallOrder.claimed_by_id == agent.id,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise NotClaimedByAgent(f"call order {order.id} is not claimed by user {agent.id}")
    db.session.refresh(order)
    return order


def release_call(order: CallOrder, agent) -> CallOrder:
    """Put a claimed order back in the queue; flushed, not committed.

    :raise NotClaimedByAgent: if ``agent`` does not hold the claim.
    """
    return _update_own_claim(order, agent, state=QUEUED, claimed_by_id=None, lease_until_dt=None)


def extend_lease(
    order: CallOrder, agent, *, now: datetime, lease: timedelta = DEFAULT_LEASE
) -> CallOrder:
    """Keep the claim for ``lease`` from ``now``; flushed, not committed.

    :raise NotClaimedByAgent: if ``agent`` does not hold the claim.
    """
    return _update_own_claim(order, agent, lease_until_dt=now + lease)


def complete_call(order: CallOrder, agent) -> CallOrder:
    """Mark a claimed order done; flushed, not committed.

    :raise NotClaimedByAgent: if ``agent`` does not hold the claim.
    """
    return _update_own_claim(order, agent, state=DONE, lease_until_dt=None)
