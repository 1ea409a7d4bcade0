"""The live wallboard's figures: who is in which state and for how long, queues, this hour.

Read in a handful of grouped queries whatever the number of agents (2,000 at once):
agents' rows come from ``agent_states`` with their names, queues from one grouped query
over call orders, the hour's calls from the telephony's calls (answered, abandoned,
service level) and from call attempts (outcomes recorded).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from content.auth.models import User
from content.extensions import db
from tracing_app.calls import agent_states
from tracing_app.calls.models import QUEUED, CallAttempt, CallOrder, Campaign
from tracing_app.telephony.models import INBOUND, TelephonyCall

#: Agents listed on the board at most (the counts per state are always complete).
MAX_AGENTS_LISTED = 500


@dataclass(frozen=True)
class AgentRow:
    """One agent on the board (name only: no personal data of citizens)."""

    name: str
    state: str
    seconds: int


@dataclass(frozen=True)
class QueueRow:
    """One campaign's queue: calls due now and the oldest due time."""

    campaign: str
    due: int
    oldest_due_dt: datetime | None


@dataclass
class Board:
    """Everything the wallboard shows at ``now``."""

    now: datetime
    counts: dict[str, int] = field(default_factory=dict)
    agents: list[AgentRow] = field(default_factory=list)
    queues: list[QueueRow] = field(default_factory=list)
    answered: int = 0
    abandoned: int = 0
    outcomes: int = 0
    #: Share of inbound calls answered within the target (None: no inbound call this hour).
    service_level: float | None = None
    service_level_seconds: int = 20


def _agents(board: Board) -> None:
    rows = db.session.execute(
        select(agent_states.AgentStatus, User.display_name)
        .join(User, User.id == agent_states.AgentStatus.user_id)
        .order_by(agent_states.AgentStatus.since_dt)
    ).all()
    board.counts = dict.fromkeys(agent_states.STATES, 0)
    for status, name in rows:
        current = agent_states.effective(status, now=board.now)
        board.counts[current.state] += 1
        if current.state != agent_states.OFFLINE and len(board.agents) < MAX_AGENTS_LISTED:
            seconds = int((board.now - current.since_dt).total_seconds())
            board.agents.append(AgentRow(name, current.state, max(0, seconds)))
    board.agents.sort(key=lambda row: (agent_states.STATES.index(row.state), -row.seconds))


def _queues(board: Board) -> None:
    rows = db.session.execute(
        select(Campaign.name, func.count(CallOrder.id), func.min(CallOrder.due_dt))
        .join(CallOrder, CallOrder.campaign_id == Campaign.id)
        .where(Campaign.active, CallOrder.state == QUEUED, CallOrder.due_dt <= board.now)
        .group_by(Campaign.id, Campaign.name)
        .order_by(Campaign.name)
    ).all()
    board.queues = [QueueRow(name, due, oldest) for name, due, oldest in rows]


def _this_hour(board: Board) -> None:
    start = board.now.replace(minute=0, second=0, microsecond=0)
    board.answered = db.session.scalar(
        select(func.count()).where(TelephonyCall.answered_dt >= start)
    )
    board.abandoned = db.session.scalar(
        select(func.count()).where(
            TelephonyCall.direction == INBOUND,
            TelephonyCall.answered_dt.is_(None),
            TelephonyCall.ended_dt >= start,
        )
    )
    board.outcomes = db.session.scalar(select(func.count()).where(CallAttempt.ended_dt >= start))
    target = current_app.config.get("TELEPHONY_SERVICE_LEVEL_SECONDS", 20)
    board.service_level_seconds = target
    inbound = db.session.execute(
        select(TelephonyCall.ringing_dt, TelephonyCall.answered_dt).where(
            TelephonyCall.direction == INBOUND,
            TelephonyCall.ringing_dt >= start,
            (TelephonyCall.answered_dt.is_not(None)) | (TelephonyCall.ended_dt.is_not(None)),
        )
    ).all()
    if inbound:
        quick = sum(
            1
            for ringing, answered in inbound
            if answered is not None and answered - ringing <= timedelta(seconds=target)
        )
        board.service_level = quick / len(inbound)


def read_board(*, now: datetime) -> Board:
    """Return the wallboard's figures at ``now``."""
    board = Board(now=now)
    _agents(board)
    _queues(board)
    _this_hour(board)
    return board
