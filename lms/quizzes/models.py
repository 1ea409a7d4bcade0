"""Quiz settings, question draws, attempts and the questions each attempt asked.

A quiz is a CMS item of type ``quiz``; everything here refers to its translation group
(``quiz_group``), so an exam taken in French counts the same as one taken in Dutch.
Questions live in the bank (:mod:`lms.quizzes.bank`); an attempt records the exact
question versions it asked, so any result can be proven later.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from content.auth.models import User, utcnow
from content.extensions import db
from lms.quizzes.bank_models import QuestionVersion

HIGHEST = "highest"
LAST = "last"
GRADING_METHODS = (HIGHEST, LAST)

IMMEDIATELY = "immediately"
AFTER_CLOSE = "after_close"
NEVER = "never"
REVIEW_WHEN = (IMMEDIATELY, AFTER_CLOSE, NEVER)

IN_PROGRESS = "in_progress"
SUBMITTED = "submitted"


class ScaledDecimal(TypeDecorator[Decimal]):
    """A Decimal stored as an integer of ``places`` decimals (750 for 7.50 at 2 places).

    SQLite has no exact decimal type (SQLAlchemy would go through floats and warn);
    integers are exact on every backend.
    """

    impl = Integer
    cache_ok = True

    def __init__(self, places: int) -> None:
        super().__init__()
        self.places = places

    def process_bind_param(self, value, dialect):
        """Store ``value`` × 10^places, rounded half up."""
        if value is None:
            return None
        scaled = Decimal(value).scaleb(self.places)
        return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def process_result_value(self, value, dialect):
        """Read the integer back as a Decimal with ``places`` decimals."""
        return None if value is None else Decimal(value).scaleb(-self.places)


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


class Attempt(db.Model):
    """One learner's attempt at a quiz, in the language of the quiz item they used.

    ``deadline_dt`` is fixed at the start; answers are not saved after it, and an
    attempt past it is graded as its answers stood then. ``archived`` attempts belong to
    an earlier cycle (recertification): kept, but no longer counted.
    """

    __tablename__ = "lms_attempts"
    __table_args__ = (
        UniqueConstraint(
            "user_id", "quiz_group", "number", name="uq_lms_attempts_user_quiz_number"
        ),
        Index("ix_lms_attempts_quiz_state", "quiz_group", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    quiz_group: Mapped[str] = mapped_column(String(36))
    quiz_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("content_items.id", ondelete="SET NULL")
    )
    language: Mapped[str] = mapped_column(String(8))
    number: Mapped[int]
    #: Seeds the order of answers (and of questions, when shuffled): a reload looks the same.
    seed: Mapped[int]
    started_dt: Mapped[datetime] = mapped_column(default=utcnow)
    deadline_dt: Mapped[datetime | None]
    submitted_dt: Mapped[datetime | None]
    state: Mapped[str] = mapped_column(String(20), default=IN_PROGRESS)
    score: Mapped[Decimal | None] = mapped_column(ScaledDecimal(2))
    max_score: Mapped[Decimal] = mapped_column(ScaledDecimal(2), default=Decimal(0))
    percent: Mapped[Decimal | None] = mapped_column(ScaledDecimal(2))
    passed: Mapped[bool | None]
    archived: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship()
    questions: Mapped[list[AttemptQuestion]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", order_by="AttemptQuestion.slot"
    )

    @property
    def is_submitted(self) -> bool:
        """Return whether the attempt has been graded."""
        return self.state == SUBMITTED

    def __repr__(self) -> str:
        return (
            f"<Attempt {self.id} user {self.user_id} {self.quiz_group}#{self.number} {self.state}>"
        )


class AttemptQuestion(db.Model):
    """A question an attempt asked (the exact version), the response and its grade."""

    __tablename__ = "lms_attempt_questions"
    __table_args__ = (
        UniqueConstraint("attempt_id", "slot", name="uq_lms_attempt_questions_attempt_slot"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("lms_attempts.id", ondelete="CASCADE"), index=True
    )
    #: Position on the attempt page, from 1 (the shuffled order, when shuffled).
    slot: Mapped[int]
    question_version_id: Mapped[int] = mapped_column(
        ForeignKey("lms_question_versions.id"), index=True
    )
    #: The learner's response as JSON (None: not answered yet).
    response_json: Mapped[str | None] = mapped_column(Text)
    saved_dt: Mapped[datetime | None]
    fraction: Mapped[Decimal | None] = mapped_column(ScaledDecimal(4))
    mark_awarded: Mapped[Decimal | None] = mapped_column(ScaledDecimal(2))
    max_mark: Mapped[Decimal] = mapped_column(ScaledDecimal(2), default=Decimal(1))

    attempt: Mapped[Attempt] = relationship(back_populates="questions")
    version: Mapped[QuestionVersion] = relationship()

    def __repr__(self) -> str:
        return f"<AttemptQuestion {self.attempt_id}:{self.slot} v{self.question_version_id}>"
