"""Quiz settings and question draws: how a quiz runs, and which bank questions it asks.

A quiz is a CMS item of type ``quiz``; everything here refers to its translation group
(``quiz_group``), so an exam taken in French counts the same as one taken in Dutch.
Questions live in the bank (:mod:`lms.quizzes.bank.models`).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.auth.models import utcnow
from content.extensions import db
from lms.quizzes.columns import ScaledDecimal

HIGHEST = "highest"
LAST = "last"
GRADING_METHODS = (HIGHEST, LAST)

IMMEDIATELY = "immediately"
AFTER_CLOSE = "after_close"
NEVER = "never"
REVIEW_WHEN = (IMMEDIATELY, AFTER_CLOSE, NEVER)


class QuizSettings(db.Model):
    """How a quiz runs: draws, shuffling, limits, timing, pass mark, grading and review."""

    __tablename__ = "lms_quiz_settings"

    quiz_group: Mapped[str] = mapped_column(String(36), primary_key=True)
    shuffle_questions: Mapped[bool] = mapped_column(default=True)
    shuffle_answers: Mapped[bool] = mapped_column(default=True)
    #: Attempts allowed per cycle (None: unlimited).
    attempt_limit: Mapped[int | None]
    #: Minutes a learner waits after submitting before the next attempt.
    wait_minutes: Mapped[int] = mapped_column(default=0)
    #: Minutes from start to deadline (None: no time limit).
    time_limit_minutes: Mapped[int | None]
    pass_percent: Mapped[Decimal] = mapped_column(ScaledDecimal(2), default=Decimal(50))
    grading_method: Mapped[str] = mapped_column(String(10), default=HIGHEST)
    #: What a learner sees after submitting, and when (see docs/lms-quizzes.md).
    review_score: Mapped[bool] = mapped_column(default=True)
    review_correctness: Mapped[bool] = mapped_column(default=True)
    review_answers: Mapped[bool] = mapped_column(default=False)
    review_feedback: Mapped[bool] = mapped_column(default=True)
    review_when: Mapped[str] = mapped_column(String(20), default=IMMEDIATELY)
    is_exam: Mapped[bool] = mapped_column(default=False)
    #: No attempt starts after this moment; "after the quiz closes" reviews open then.
    close_dt: Mapped[datetime | None]
    updated_dt: Mapped[datetime] = mapped_column(default=utcnow)

    draws: Mapped[list[QuizDraw]] = relationship(
        back_populates="settings", cascade="all, delete-orphan", order_by="QuizDraw.id"
    )

    def __repr__(self) -> str:
        return f"<QuizSettings {self.quiz_group}>"


class QuizDraw(db.Model):
    """Draw ``count`` questions at random from a bank category for each attempt."""

    __tablename__ = "lms_quiz_draws"
    __table_args__ = (
        UniqueConstraint("quiz_group", "category_id", name="uq_lms_quiz_draws_quiz_category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_group: Mapped[str] = mapped_column(
        ForeignKey("lms_quiz_settings.quiz_group", ondelete="CASCADE"), index=True
    )
    category_id: Mapped[int] = mapped_column(ForeignKey("lms_question_categories.id"), index=True)
    count: Mapped[int]

    settings: Mapped[QuizSettings] = relationship(back_populates="draws")

    def __repr__(self) -> str:
        return f"<QuizDraw {self.quiz_group} category {self.category_id} × {self.count}>"
