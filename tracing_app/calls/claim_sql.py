"""The SQL of a claim by "Next call": pick and claim in one ``UPDATE``, and why not.

Used by :mod:`~tracing_app.calls.claims`, which runs it under the per-agent lock on a
connection of its own (see there and docs/call-lists.md).
"""

from __future__ import annotations

import functools
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import (
    Time,
    and_,
    bindparam,
    case,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.sql.elements import ColumnElement

from tracing_app.calls import claim_state
from tracing_app.calls.models import CLAIMED, QUEUED, CallOrder, Campaign


class ClaimStatements:
    """The SQL of one claim: the pick-and-claim ``UPDATE``, and why nothing was claimed.

    Both read the agent's live calls (CTE ``live``) and state in the statement itself, so
    under the claim's lock they count every earlier claim of the agent. The statements are
    built once per process (:func:`_statements`), the same for every agent and time, and run
    with :attr:`params`: building them and walking them for SQLAlchemy's cache key cost more
    than running them (docs/performance.md, "Statements kept per process").
    """

    def __init__(
        self, agent_id: int, now: datetime, lease: timedelta, *, agent_state: bool
    ) -> None:
        self.agent_id, self.now, self.lease = agent_id, now, lease
        self.agent_state = agent_state
        local = now.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).time()
        #: The values of the statements' parameters.
        self.params = {
            "claim_agent": agent_id,
            "claim_now": now,
            "claim_lease_until": now + lease,
            "claim_local": local,
        }
        self._built = _statements(agent_state)

    def update(self, *, skip_locked: bool):
        """``UPDATE … WHERE id = (the pick) RETURNING id``: the claim, if one is allowed."""
        return self._built.update(skip_locked=skip_locked)

    def why_not(self):
        """``SELECT`` why nothing was claimed: refused, the held call at the limit, live calls."""
        return self._built.why_not()

    def one_statement(self):
        """PostgreSQL: the claim, why not, and the agent's state (``agent_state``) at once.

        Data-modifying CTEs, all on the snapshot the statement takes after the claim's
        lock: the state's ``wanted`` reads the claim's ``RETURNING``, not its row.
        """
        return self._built.one_statement()


@functools.cache
def _statements(agent_state: bool) -> _Statements:
    return _Statements(agent_state)


class _Statements:
    """The statements of :class:`ClaimStatements`, each built at its first use."""

    def __init__(self, agent_state: bool) -> None:
        self.agent_state = agent_state
        table = CallOrder.__table__
        self.agent_id = bindparam("claim_agent", type_=table.c.claimed_by_id.type)
        self.now = bindparam("claim_now", type_=table.c.claimed_dt.type)
        live = (
            select(CallOrder.id, CallOrder.claimed_dt, Campaign.max_live_calls)
            .join(Campaign, Campaign.id == CallOrder.campaign_id)
            .where(
                CallOrder.state == CLAIMED,
                CallOrder.claimed_by_id == self.agent_id,
                CallOrder.lease_until_dt > self.now,
            )
            .cte("live")
        )
        self.live = live
        self.held_count = select(func.count()).select_from(live).scalar_subquery()
        # At the limit: as many live calls as the smallest limit among their campaigns.
        self.at_limit = exists().where(live.c.max_live_calls <= self.held_count)
        self.refused = claim_state.refused(self.agent_id) if agent_state else false()

    @functools.cache  # noqa: B019 (kept per process with their instance, by design)
    def update(self, *, skip_locked: bool):
        """See :meth:`ClaimStatements.update`."""
        agent_id, now = self.agent_id, self.now
        # The campaign's priority is copied onto its orders (kept in step by
        # update_campaign), so the sort needs no join; the campaign is joined for its hours.
        pick = (
            select(CallOrder.id)
            .join(Campaign, Campaign.id == CallOrder.campaign_id)
            .where(
                ~self.refused,
                ~self.at_limit,
                Campaign.active,
                Campaign.max_live_calls > self.held_count,
                within_calling_hours(bindparam("claim_local", type_=Time())),
                CallOrder.due_dt <= now,
                or_(
                    CallOrder.state == QUEUED,
                    and_(CallOrder.state == CLAIMED, CallOrder.lease_until_dt <= now),
                ),
                or_(
                    CallOrder.reserved_for_id.is_(None),
                    CallOrder.reserved_for_id == agent_id,
                    CallOrder.reserved_until_dt <= now,
                ),
            )
            .order_by(
                # A callback this agent promised comes first once due.
                case((CallOrder.reserved_for_id == agent_id, 0), else_=1),
                CallOrder.campaign_priority.desc(),
                CallOrder.priority.desc(),
                CallOrder.due_dt,
                CallOrder.id,
            )
            .limit(1)
        )
        if skip_locked:
            pick = pick.with_for_update(skip_locked=True, of=CallOrder.__table__)
        # Pick and claim in one statement: the pick is evaluated once, before the update.
        table = CallOrder.__table__
        return (
            update(table)
            .where(table.c.id == pick.scalar_subquery())
            .values(
                state=CLAIMED,
                claimed_by_id=agent_id,
                claimed_dt=now,
                lease_until_dt=bindparam("claim_lease_until", type_=table.c.lease_until_dt.type),
            )
            .returning(table.c.id)
        )

    @functools.cache  # noqa: B019
    def why_not(self):
        """See :meth:`ClaimStatements.why_not`."""
        oldest = (
            select(self.live.c.id)
            .order_by(self.live.c.claimed_dt, self.live.c.id)
            .limit(1)
            .scalar_subquery()
        )
        return select(
            self.refused.label("refused"),
            case((self.at_limit, oldest)).label("held_id"),
            self.held_count.label("live_calls"),
        )

    @functools.cache  # noqa: B019
    def one_statement(self):
        """See :meth:`ClaimStatements.one_statement`."""
        claimed = self.update(skip_locked=True).cte("claimed")
        statement = self.why_not().add_columns(
            select(claimed.c.id).scalar_subquery().label("order_id")
        )
        if not self.agent_state:
            return statement
        on_call = or_(select(claimed.c.id).exists(), self.held_count > 0)
        changed, history, notified = claim_state.change_ctes(
            self.agent_id, claim_state.wanted(on_call), unless=self.refused, now=self.now
        )
        return statement.add_columns(
            select(changed.c.state).scalar_subquery().label("new_state"), notified
        ).add_cte(history)


def within_calling_hours(local: time | ColumnElement[time]):
    """SQL of :func:`~tracing_app.calls.models.within_hours`: the campaign calls at ``local``."""
    start, end = Campaign.calling_start, Campaign.calling_end
    at = local if isinstance(local, ColumnElement) else literal(local, Time())
    return or_(
        start == end,  # all day
        and_(start < end, start <= at, at < end),
        and_(start > end, or_(at >= start, at < end)),  # across midnight
    )
