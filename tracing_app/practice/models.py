"""Practice scenarios and the practice calls learners make with them."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.auth.models import User, utcnow
from content.extensions import db


class PracticeScenario(db.Model):
    """A scenario installed from ``practice/scenarios/*.yaml`` (its data, as JSON)."""

    __tablename__ = "practice_scenarios"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    #: The call script's ``form_id``; its current published version is used.
    script_form_id: Mapped[str] = mapped_column(String(100))
    #: Titles, the fictitious citizen, what the citizen says, expected outcome and answers.
    definition_json: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def definition(self) -> dict:
        """The scenario's data as installed."""
        return json.loads(self.definition_json)

    def __repr__(self) -> str:
        return f"<PracticeScenario {self.code}>"


class PracticeCall(db.Model):
    """One practice call of a learner: answers (encrypted), outcome, and how it went."""

    __tablename__ = "practice_calls"
    __table_args__ = (Index("ix_practice_calls_user_scenario", "user_id", "scenario_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    scenario_id: Mapped[int] = mapped_column(
        ForeignKey("practice_scenarios.id", ondelete="CASCADE"), index=True
    )
    script_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("script_versions.id", ondelete="SET NULL")
    )
    #: The call's language (the learner's page language).
    language: Mapped[str] = mapped_column(String(8))
    #: The form's answers, encrypted like a real form's (fictitious, but typed by people).
    answers_enc: Mapped[str | None] = mapped_column(Text)
    #: The call-attempt outcome the learner chose (``reached``, ``refused``…).
    outcome: Mapped[str] = mapped_column(String(20))
    passed: Mapped[bool] = mapped_column(default=False)
    #: ``{"outcome": bool, "answers": {name: bool}}``: which checks were met (no answers).
    checks_json: Mapped[str] = mapped_column(Text, default="{}")
    completed_dt: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    scenario: Mapped[PracticeScenario] = relationship()

    @property
    def checks(self) -> dict:
        """Which checks the call met: outcome and key answers."""
        return json.loads(self.checks_json or "{}")

    def __repr__(self) -> str:
        return f"<PracticeCall {self.id} u{self.user_id} s{self.scenario_id} passed={self.passed}>"
