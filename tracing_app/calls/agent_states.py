"""Agent states: available, on a call, wrap-up (after-call work), break, offline.

One row per agent (``agent_states``) holds the state and since when; every change is also
a row of ``agent_state_changes`` (the history supervisors' figures are read from). The
calls' operations change the state as calls go: a claim puts the agent on a call, an
outcome into wrap-up, a release back to available. Wrap-up ends by the agent's "Next call"
or on its own after ``CALLS_WRAP_UP_MINUTES`` (read, not written: :func:`effective`).
Signing in makes an agent available, signing out offline.

Every change tells the wallboard (``board.changed``) in the same transaction. "Next call"
changes the state in the claim's own transaction (``claim_state.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_login import user_logged_in, user_logged_out
from sqlalchemy import ForeignKey, Index, String, exists, func, select, text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from content.auth.models import utcnow
from content.extensions import db
from content.i18n import _l
from tracing_app.calls import board
from tracing_app.calls.models import CLAIMED, CallOrder

AVAILABLE = "available"
ON_CALL = "on_call"
WRAP_UP = "wrap_up"
BREAK = "break"
OFFLINE = "offline"
STATES = (AVAILABLE, ON_CALL, WRAP_UP, BREAK, OFFLINE)
#: The states an agent chooses by hand; the others follow the calls.
CHOSEN = (AVAILABLE, BREAK, OFFLINE)
#: "Next call" is refused in these states.
NO_NEXT_CALL = (BREAK, OFFLINE)

STATE_LABELS = {
    AVAILABLE: _l("Available"),
    ON_CALL: _l("On a call"),
    WRAP_UP: _l("Wrap-up"),
    BREAK: _l("Break"),
    OFFLINE: _l("Offline"),
}


class AgentStatus(db.Model):
    """An agent's current state and since when."""

    __tablename__ = "agent_states"
    __table_args__ = (Index("ix_agent_states_state", "state"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[str] = mapped_column(String(20))
    since_dt: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<AgentStatus u{self.user_id} {self.state}>"


class AgentStateChange(db.Model):
    """One change of an agent's state (the history)."""

    __tablename__ = "agent_state_changes"
    __table_args__ = (Index("ix_agent_state_changes_user_changed", "user_id", "changed_dt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(20))
    changed_dt: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<AgentStateChange u{self.user_id} {self.state}>"


@dataclass(frozen=True)
class Current:
    """An agent's state as it counts now (wrap-up past its maximum counts as available)."""

    state: str
    since_dt: datetime | None


def wrap_up_limit() -> timedelta:
    """The longest after-call work, from the settings."""
    return timedelta(minutes=current_app.config.get("CALLS_WRAP_UP_MINUTES", 3))


def effective(status: AgentStatus | None, *, now: datetime) -> Current:
    """Return the state as it counts at ``now`` (no row: offline)."""
    if status is None:
        return Current(OFFLINE, None)
    if status.state == WRAP_UP and status.since_dt + wrap_up_limit() <= now:
        return Current(AVAILABLE, status.since_dt + wrap_up_limit())
    return Current(status.state, status.since_dt)


def status_of(user_id: int) -> AgentStatus | None:
    """Return an agent's state row (None: never signed in)."""
    return db.session.get(AgentStatus, user_id)


def current(user_id: int, *, now: datetime) -> Current:
    """Return an agent's state as it counts at ``now``."""
    return effective(status_of(user_id), now=now)


def set_state(user_id: int, state: str, *, now: datetime, unless_holding: bool = False) -> bool:
    """Put an agent in ``state``; flushed, not committed. Return whether it changed.

    :param unless_holding: on a call instead when the agent still holds a claimed call (a
        call ended, another is still theirs).
    """
    if state not in STATES:
        raise ValueError(state)
    if db.session.get_bind().dialect.name == "postgresql":
        changed = _set_state_in_one_statement(user_id, state, now, unless_holding)
        if changed is not None:
            return changed
    elif unless_holding and _holds_a_call(user_id):
        state = ON_CALL
    status = db.session.get(AgentStatus, user_id)
    if status is not None and status.state == state:
        return False
    if status is None:
        status = AgentStatus(user_id=user_id, state=state, since_dt=now)
        db.session.add(status)
    else:
        status.state, status.since_dt = state, now
    db.session.add(AgentStateChange(user_id=user_id, state=state, changed_dt=now))
    db.session.flush()
    board.changed()
    return True


def _holds_a_call(user_id: int) -> bool:
    return db.session.scalar(
        select(exists().where(CallOrder.state == CLAIMED, CallOrder.claimed_by_id == user_id))
    )


#: The state row's update, its history row and the wallboard's NOTIFY, as one statement
#: (PostgreSQL: data-modifying CTEs). ``known``: the row exists (else nothing was done).
_SET_STATE = text(
    """
    WITH wanted AS (
        SELECT CASE WHEN :unless_holding AND EXISTS (
            SELECT 1 FROM call_orders WHERE state = :claimed AND claimed_by_id = :user_id
        ) THEN :on_call ELSE :state END AS state
    ), changed AS (
        UPDATE agent_states SET state = wanted.state, since_dt = :now FROM wanted
        WHERE agent_states.user_id = :user_id AND agent_states.state <> wanted.state
        RETURNING agent_states.state
    ), history AS (
        INSERT INTO agent_state_changes (user_id, state, changed_dt)
        SELECT :user_id, state, :now FROM changed
    )
    SELECT (SELECT state FROM changed) AS state,
           EXISTS (SELECT 1 FROM agent_states WHERE user_id = :user_id) AS known,
           (SELECT pg_notify(:channel, '') FROM changed) IS NOT NULL AS notified
    """
)


def _set_state_in_one_statement(
    user_id: int, state: str, now: datetime, unless_holding: bool
) -> bool | None:
    """Change the state row in one statement; None when the agent has no row yet."""
    db.session.flush()  # what the request changed first (e.g. the call order's outcome)
    row = db.session.execute(
        _SET_STATE,
        {
            "user_id": user_id,
            "state": state,
            "on_call": ON_CALL,
            "claimed": CLAIMED,
            "unless_holding": unless_holding,
            "now": now,
            "channel": board.CHANNEL,
        },
    ).one()
    if not row.known:
        return None
    if row.state is None:
        return False
    # A state row this session holds is now stale: give it the values just written.
    loaded = db.session.identity_map.get(identity_key(AgentStatus, user_id))
    if loaded is not None:
        set_committed_value(loaded, "state", row.state)
        set_committed_value(loaded, "since_dt", now)
    return True


def may_take_next_call(user_id: int, *, now: datetime) -> bool:
    """Tell whether "Next call" is allowed (not on a break, not offline)."""
    return current(user_id, now=now).state not in NO_NEXT_CALL


def stored_state(user_id: int):
    """SQL of the agent's state as stored (no row: offline), for another module's statement.

    Only wrap-up differs from :func:`effective` (past its maximum it counts as available),
    so :data:`NO_NEXT_CALL` may be checked on it (the claim does, under its lock).
    """
    row = select(AgentStatus.state).where(AgentStatus.user_id == user_id).scalar_subquery()
    return func.coalesce(row, OFFLINE)


def _signed_in(sender, user, **extra) -> None:
    # Signing in starts the agent's day as available (a second window changes nothing).
    if user.can("calls.work") and current(user.id, now=utcnow()).state == OFFLINE:
        set_state(user.id, AVAILABLE, now=utcnow())


def _signed_out(sender, user, **extra) -> None:
    # A held call stays held (its lease ends it); otherwise the agent is gone.
    if user is not None and getattr(user, "id", None) is not None:
        status = db.session.get(AgentStatus, user.id)
        if status is not None and status.state != ON_CALL:
            set_state(user.id, OFFLINE, now=utcnow())


def connect() -> None:
    """Follow sign-ins and sign-outs (idempotent); the login and logout views commit."""
    user_logged_in.connect(_signed_in)
    user_logged_out.connect(_signed_out)
