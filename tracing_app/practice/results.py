"""Practice results for trainers: per learner and per scenario (no answers, no citizen)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from content.auth.models import User
from content.extensions import db
from tracing_app.practice.models import PracticeCall, PracticeScenario


@dataclass
class LearnerRow:
    """One learner's practice: per scenario, calls made and whether one passed."""

    user: User
    calls: dict[int, int] = field(default_factory=dict)
    passed: set[int] = field(default_factory=set)
    last_dt: datetime | None = None


@dataclass
class ScenarioRow:
    """One scenario's practice: calls, passed calls, learners who passed it."""

    scenario: PracticeScenario
    calls: int = 0
    passed_calls: int = 0
    learners_passed: int = 0


def _counts():
    return db.session.execute(
        select(
            PracticeCall.user_id,
            PracticeCall.scenario_id,
            func.count(),
            func.sum(PracticeCall.passed.cast(db.Integer)),
            func.max(PracticeCall.completed_dt),
        ).group_by(PracticeCall.user_id, PracticeCall.scenario_id)
    ).all()


def by_learner(scenarios: list[PracticeScenario]) -> list[LearnerRow]:
    """Return a row per learner who made a practice call, by name."""
    rows: dict[int, LearnerRow] = {}
    counted = _counts()
    users = {
        user.id: user
        for user in db.session.scalars(select(User).where(User.id.in_({r[0] for r in counted})))
    }
    for user_id, scenario_id, calls, passed, last_dt in counted:
        row = rows.setdefault(user_id, LearnerRow(users[user_id]))
        row.calls[scenario_id] = calls
        if passed:
            row.passed.add(scenario_id)
        row.last_dt = max(filter(None, [row.last_dt, last_dt]))
    return sorted(rows.values(), key=lambda row: row.user.display_name.casefold())


def by_scenario(scenarios: list[PracticeScenario]) -> list[ScenarioRow]:
    """Return a row per scenario, in the scenarios' order."""
    rows = {scenario.id: ScenarioRow(scenario) for scenario in scenarios}
    for _user_id, scenario_id, calls, passed, _last in _counts():
        row = rows.get(scenario_id)
        if row is None:
            continue
        row.calls += calls
        row.passed_calls += passed or 0
        row.learners_passed += 1 if passed else 0
    return list(rows.values())
