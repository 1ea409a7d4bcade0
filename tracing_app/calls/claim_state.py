"""The agent's state as "Next call" changes it, in the claim's own transaction.

"Next call" is refused to an agent on a break or offline. Otherwise it puts the agent on a
call (a call claimed, or one still held) or makes them available (the wrap-up ends). The
change is what :func:`~tracing_app.calls.agent_states.set_state` makes (the state row, a
history row, the wallboard's NOTIFY), on the claim's connection and committed with the
claim: on PostgreSQL as CTEs of the claim's one statement, on SQLite two statements.
"""

from __future__ import annotations

import functools
from datetime import datetime

from sqlalchemy import Connection, bindparam, case, func, insert, select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import CTE

from content.extensions import db
from tracing_app.calls import board
from tracing_app.calls.agent_states import (
    AVAILABLE,
    NO_NEXT_CALL,
    ON_CALL,
    AgentStateChange,
    AgentStatus,
    stored_state,
)

_STATES = AgentStatus.__table__
_HISTORY = AgentStateChange.__table__


def refused(user_id: int | ColumnElement[int]) -> ColumnElement[bool]:
    """SQL: "Next call" is refused (the agent is on a break or offline, or has no row)."""
    return stored_state(user_id).in_(NO_NEXT_CALL)


def wanted(on_call: ColumnElement[bool]) -> ColumnElement[str]:
    """SQL: the state after "Next call": on a call if ``on_call``, else available."""
    return case((on_call, ON_CALL), else_=AVAILABLE)


def change_ctes(
    user_id: ColumnElement[int],
    state: ColumnElement[str],
    *,
    unless: ColumnElement[bool],
    now: ColumnElement[datetime],
) -> tuple[CTE, CTE, ColumnElement[bool]]:
    """PostgreSQL: the CTEs that change the state row to ``state`` and add its history row.

    ``user_id`` and ``now`` are SQL (the claim's bound parameters).

    :return: ``changed`` (the new state, no row if unchanged), ``history`` (add it to the
        statement: nothing selects from it) and ``notified``, the column that sends the
        wallboard's NOTIFY when the state changed (select it).
    """
    changed = (
        update(_STATES)
        .where(_STATES.c.user_id == user_id, _STATES.c.state != state, ~unless)
        .values(state=state, since_dt=now)
        .returning(_STATES.c.state)
        .cte("changed")
    )
    history = (
        insert(_HISTORY)
        .from_select(
            ["user_id", "state", "changed_dt"],
            select(user_id, changed.c.state, now),
        )
        .cte("history")
    )
    notify = select(func.pg_notify(board.CHANNEL, "")).select_from(changed).scalar_subquery()
    return changed, history, notify.is_not(None).label("notified")


def change_on(conn: Connection, user_id: int, state: str, *, now: datetime) -> str | None:
    """SQLite: change the state row and add its history row on ``conn``; the new state or None.

    (SQLite's wallboard polls: no NOTIFY.)
    """
    params = {"state_user": user_id, "state_new": state, "state_now": now}
    change, history = _sqlite_statements()
    changed = conn.execute(change, params).scalar()
    if changed is not None:
        conn.execute(history, params)
    return changed


@functools.cache
def _sqlite_statements():
    """:func:`change_on`'s two statements, built once per process."""
    user_id = bindparam("state_user", type_=_STATES.c.user_id.type)
    state = bindparam("state_new", type_=_STATES.c.state.type)
    now = bindparam("state_now", type_=_STATES.c.since_dt.type)
    change = (
        update(_STATES)
        .where(_STATES.c.user_id == user_id, _STATES.c.state != state)
        .values(state=state, since_dt=now)
        .returning(_STATES.c.state)
    )
    history = insert(_HISTORY).values(user_id=user_id, state=state, changed_dt=now)
    return change, history


def keep_loaded(user_id: int, state: str, now: datetime) -> None:
    """Give a state row ``db.session`` holds the values the claim committed."""
    loaded = db.session.identity_map.get(identity_key(AgentStatus, user_id))
    if loaded is not None:
        set_committed_value(loaded, "state", state)
        set_committed_value(loaded, "since_dt", now)
