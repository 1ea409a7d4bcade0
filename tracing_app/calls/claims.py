"""Claiming call orders: one agent per call, under a lease, on SQLite and PostgreSQL.

A claim runs in a short transaction of its own, on a connection of its own, so that
the row lock (PostgreSQL) or the write lock (SQLite) is held for a few milliseconds and
never for the length of a request. What the agent then does with a claimed order (extend
the lease, release it, complete it) is one conditional UPDATE in the request's
transaction. See docs/call-lists.md.
"""

from __future__ import annotations

import functools
import threading
import time as clock
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Integer, bindparam, func, inspect, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.expression import ClauseElement

from content.extensions import db
from tracing_app.calls import agent_states, claim_state
from tracing_app.calls.claim_sql import ClaimStatements
from tracing_app.calls.models import (
    CLAIMED,
    DONE,
    QUEUED,
    CallOrder,
)

DEFAULT_LEASE = timedelta(minutes=10)
#: How much of a lease may have run before :func:`keep_lease` writes a renewal.
LEASE_SLACK = timedelta(minutes=1)
#: Audit action of a claim by "Next call" (counted per hour for unusual activity).
CLAIM_ACTION = "calls.claim"
#: First key of the PostgreSQL advisory lock that serialises one agent's claims.
AGENT_CLAIM_LOCK = 7_301
#: Takes that lock for the agent ``agent`` (kept: built once, not per claim).
_AGENT_CLAIM_LOCK_STATEMENT = select(
    func.pg_advisory_xact_lock(AGENT_CLAIM_LOCK, bindparam("agent", type_=Integer()))
)
#: Tries of ``BEGIN IMMEDIATE`` on SQLite; each already waits up to the busy timeout.
SQLITE_BEGIN_TRIES = 3
#: Serialises the claims of this process on SQLite (see ``_claim_on_sqlite``).
_SQLITE_CLAIMS = threading.Lock()


class NotClaimedByAgent(Exception):
    """The call order is not (or no longer) claimed by this agent."""


class UncommittedWrites(RuntimeError):
    """A claim was asked while ``db.session`` holds an open write transaction on SQLite."""


@dataclass(frozen=True)
class Claim:
    """What "Next call" gave: a new claim, a live call the agent still holds, or a refusal.

    ``held``: ``order_id`` is a live call the agent already held (nothing was claimed).
    ``refused``: the agent is on a break or offline (``agent_state``); ``order_id`` is None.
    """

    order_id: int | None
    held: bool = False
    refused: bool = False

    @functools.cached_property
    def order(self) -> CallOrder | None:
        """The order, read on first use with its ticket (one query, not two)."""
        if self.order_id is None:
            return None
        # Fresh: the claim was committed on a connection of its own.
        return db.session.get(
            CallOrder, self.order_id, populate_existing=True, options=[joinedload(CallOrder.ticket)]
        )


def claim_next_call(agent, *, now: datetime, lease: timedelta = DEFAULT_LEASE) -> CallOrder | None:
    """Return :func:`next_call`'s order: a new claim, or a live call the agent holds."""
    return next_call(agent, now=now, lease=lease).order


def next_call(
    agent,
    *,
    now: datetime,
    lease: timedelta = DEFAULT_LEASE,
    agent_state: bool = False,
) -> Claim:
    """Claim the most urgent due call for ``agent`` and commit the claim at once.

    An agent holds at most as many live calls (claimed, lease not expired) as the
    campaigns of the calls they hold allow (``max_live_calls``, 1 by default): at the
    limit, the oldest held call is returned (``held``) and nothing is claimed. Below it,
    only campaigns that allow one more live call are candidates. The check and the claim
    are one statement, serialised per agent, so parallel presses claim one call.

    Candidates are queued orders of active campaigns within their calling hours, and
    claimed orders whose lease has expired; a callback reserved for another agent is
    skipped until its reservation ends. Order: callbacks reserved for this agent, then
    campaign priority, order priority (both highest first), due time, id.

    :param now: the current time, timezone-aware.
    :param agent_state: as "Next call": refused (``refused``) to an agent on a break or
        offline, and the agent's state changed in the claim's transaction (on a call, or
        available when nothing is due and nothing held): :mod:`~tracing_app.calls.claim_state`.
    :return: the claim; its ``order`` is read into ``db.session`` at first use, ``None``
        if nothing is due.
    :raise UncommittedWrites: on SQLite, if ``db.session`` has written without committing.
    """
    agent_id = _identity(agent)
    claim = ClaimStatements(agent_id, now, lease, agent_state=agent_state)
    if db.engine.dialect.name == "sqlite":
        _refuse_open_sqlite_write()
        result, new_state = _claim_on_sqlite(claim)
    else:
        result, new_state = _claim_on_postgresql(claim)
    if new_state is not None:
        claim_state.keep_loaded(agent_id, new_state, now)
    # The order is read only if the caller uses it (the view redirects with its id).
    return result


def _claim_on_postgresql(claim: ClaimStatements) -> tuple[Claim, str | None]:
    # READ COMMITTED + FOR UPDATE SKIP LOCKED: concurrent claimers lock different rows
    # instead of queueing on the same one; the commit releases the locks.
    with db.engine.begin() as conn:
        # One agent's claims run one after the other (two presses, two tabs, a script).
        # The lock is a statement of its own: a statement's snapshot is taken before a
        # lock it waits for, so only the NEXT statement sees the claim of the press that
        # held the lock (committed before the lock was released) and counts it.
        conn.execute(_AGENT_CLAIM_LOCK_STATEMENT, {"agent": claim.agent_id})
        # State, live calls, pick and claim (and the agent's state) in one statement.
        row = conn.execute(claim.one_statement(), claim.params).one()
    return _result(row.order_id, row), row.new_state if claim.agent_state else None


def _result(order_id: int | None, why_not) -> Claim:
    """The :class:`Claim` from the claimed id, else from the ``why_not`` row."""
    if order_id is not None:
        return Claim(order_id)
    if why_not.refused:
        return Claim(None, refused=True)
    return Claim(why_not.held_id, held=why_not.held_id is not None)


def _identity(agent) -> int:
    # An expired agent (e.g. after a rollback) would be reloaded through db.session on
    # ``agent.id``, which then holds a pooled connection while the claim asks for a
    # second one: with many claimers the pool runs dry. The identity needs no query.
    state = inspect(agent, raiseerr=False)
    if state is not None and state.identity:
        return state.identity[0]
    return agent.id


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


def _claim_on_sqlite(claim: ClaimStatements) -> tuple[Claim, str | None]:
    # pysqlite opens transactions itself, lazily and DEFERRED (and only before writes),
    # so two claimers could both read the same queued row before either writes. On a
    # dedicated connection in AUTOCOMMIT mode (pysqlite's isolation_level=None, reset by
    # the pool when the connection is returned) we issue BEGIN IMMEDIATE ourselves: it
    # takes the database's single write lock before the UPDATE, so claimers run one after
    # the other and each sees the previous one's claim. The global engine is untouched.
    #
    # Claimers of this process also queue on a lock of their own first: SQLite's busy
    # handler retries with sleeps and no order, so with dozens of connections waiting one
    # claimer could starve past the busy timeout (seen with 200 threads, bench/claims.py).
    # Other processes still meet BEGIN IMMEDIATE.
    connection = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    with connection as conn, _SQLITE_CLAIMS:
        _begin_immediate(conn)
        try:
            # No data-modifying CTEs in SQLite: why nothing was claimed is read only then.
            order_id = conn.execute(claim.update(skip_locked=False), claim.params).scalar()
            row = (
                None if order_id is not None else conn.execute(claim.why_not(), claim.params).one()
            )
            result, new_state = _result(order_id, row), None
            if claim.agent_state and not result.refused:
                on_call = order_id is not None or row.live_calls > 0
                state = agent_states.ON_CALL if on_call else agent_states.AVAILABLE
                new_state = claim_state.change_on(conn, claim.agent_id, state, now=claim.now)
        except BaseException:
            conn.exec_driver_sql("ROLLBACK")
            raise
        conn.exec_driver_sql("COMMIT")
    return result, new_state


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


def _update_own_claim(order: CallOrder, agent, **values) -> CallOrder:
    # One conditional UPDATE, not read-check-write: if the lease expired and another
    # agent claimed the order meanwhile, nothing is changed and the caller is told.
    result = db.session.execute(
        own_claim_update(order, agent, values).execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise NotClaimedByAgent(f"call order {order.id} is not claimed by user {agent.id}")
    return claim_updated(order, values)


def own_claim_update(order: CallOrder, agent, values: dict):
    """The UPDATE of ``order`` to ``values`` if ``agent`` still holds its claim."""
    table = CallOrder.__table__
    return (
        update(table)
        .where(table.c.id == order.id, table.c.state == CLAIMED, table.c.claimed_by_id == agent.id)
        .values(**values)
    )


def claim_updated(order: CallOrder, values: dict) -> CallOrder:
    """Give ``order`` the ``values`` :func:`own_claim_update` wrote (no query)."""
    # The row now holds these values (the UPDATE matched it and keeps it locked until
    # commit): set them on the object instead of reading the row back. Values computed by
    # SQL, and relationships whose key changed, are expired and read only if used.
    stale = []
    for key, value in values.items():
        if isinstance(value, ClauseElement):
            stale.append(key)
        else:
            set_committed_value(order, key, value)
        if key in _CLAIM_RELATIONSHIPS:
            stale.append(_CLAIM_RELATIONSHIPS[key])
    if stale:
        db.session.expire(order, stale)
    return order


#: Foreign keys of a call order set by ``_update_own_claim``, and their relationships.
_CLAIM_RELATIONSHIPS = {"claimed_by_id": "claimed_by", "reserved_for_id": "reserved_for"}


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


def keep_lease(
    order: CallOrder, agent, *, now: datetime, lease: timedelta = DEFAULT_LEASE
) -> CallOrder:
    """Make sure the claim lasts about ``lease`` from ``now``: extend it only when needed.

    The call's pages renew the lease at every request, seconds apart. When ``order`` as read
    in this request is claimed by ``agent`` with between ``lease - LEASE_SLACK`` and
    ``lease`` left, nobody else can claim it before then (a claim needs an expired lease):
    no write.

    :raise NotClaimedByAgent: if a write was needed and ``agent`` does not hold the claim.
    """
    if (
        order.state == CLAIMED
        and order.claimed_by_id == _identity(agent)
        and order.lease_until_dt is not None
        # A longer lease (the script's, after the script closed) is shortened as before.
        and now + lease - LEASE_SLACK <= order.lease_until_dt <= now + lease
    ):
        return order
    return extend_lease(order, agent, now=now, lease=lease)


def complete_call(order: CallOrder, agent) -> CallOrder:
    """Mark a claimed order done; flushed, not committed.

    :raise NotClaimedByAgent: if ``agent`` does not hold the claim.
    """
    return _update_own_claim(order, agent, state=DONE, lease_until_dt=None)
