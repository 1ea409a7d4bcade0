"""Attempts and the questions each attempt asked.

An attempt refers to its quiz by translation group (``quiz_group``) and records the exact
question versions it asked (:mod:`lms.quizzes.bank.models`), so any result can be proven
later.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.auth.models import User, utcnow
from content.extensions import db
from lms.quizzes.bank.models import QuestionVersion
from lms.quizzes.columns import ScaledDecimal

IN_PROGRESS = "in_progress"
SUBMITTED = "submitted"


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
    #: Joined: every use of an asked question needs its version (one query, not one each).
    version: Mapped[QuestionVersion] = relationship(lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        return f"<AttemptQuestion {self.attempt_id}:{self.slot} v{self.question_version_id}>"
