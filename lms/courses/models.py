"""Module settings, prerequisites, enrolments and lesson progress.

Modules, lessons and quizzes are CMS items; these tables refer to them by
``translation_group`` (not by item id), so that what a learner did in one language
counts in every other: a lesson read in French is done in the Dutch module too.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.auth.models import User, utcnow
from content.extensions import db

#: Length of ``ContentItem.translation_group`` (a UUID string).
GROUP_LENGTH = 36


class ModuleSettings(db.Model):
    """How a module behaves, in every language: one row per module translation group."""

    __tablename__ = "lms_module_settings"

    module_group: Mapped[str] = mapped_column(String(GROUP_LENGTH), primary_key=True)
    #: Lessons must be done in order: a lesson opens once the earlier ones are done.
    is_required_order: Mapped[bool] = mapped_column(default=False)
    #: Learners may enrol themselves; otherwise only a trainer enrols them.
    is_self_enrolment: Mapped[bool] = mapped_column(default=True)
    updated_dt: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<ModuleSettings {self.module_group}>"


class ModulePrerequisite(db.Model):
    """A module (``required_group``) a learner must complete before enrolling in another."""

    __tablename__ = "lms_module_prerequisites"

    module_group: Mapped[str] = mapped_column(String(GROUP_LENGTH), primary_key=True)
    required_group: Mapped[str] = mapped_column(String(GROUP_LENGTH), primary_key=True)

    def __repr__(self) -> str:
        return f"<ModulePrerequisite {self.module_group} needs {self.required_group}>"


class Enrolment(db.Model):
    """A learner following a module; also where they left off and when they completed it."""

    __tablename__ = "lms_enrolments"
    __table_args__ = (
        UniqueConstraint("user_id", "module_group", name="uq_lms_enrolments_user_module"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    module_group: Mapped[str] = mapped_column(String(GROUP_LENGTH), index=True)
    enrolled_dt: Mapped[datetime] = mapped_column(default=utcnow)
    #: The trainer who enrolled the learner (None: the learner enrolled themselves).
    enrolled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: A trainer's name for a group of learners trained together ("" when none).
    cohort: Mapped[str] = mapped_column(String(100), default="", index=True)
    #: Resume pointer: the lesson or quiz (translation group) the learner last opened.
    last_item_group: Mapped[str | None] = mapped_column(String(GROUP_LENGTH))
    #: When the learner last opened a lesson of the module (measures time spent).
    last_seen_dt: Mapped[datetime | None]
    completed_dt: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    enrolled_by: Mapped[User | None] = relationship(foreign_keys=[enrolled_by_id])

    def __repr__(self) -> str:
        return f"<Enrolment user={self.user_id} {self.module_group}>"


class LessonProgress(db.Model):
    """What one learner did with one lesson (in any language)."""

    __tablename__ = "lms_lesson_progress"
    __table_args__ = (
        UniqueConstraint("user_id", "lesson_group", name="uq_lms_lesson_progress_user_lesson"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    lesson_group: Mapped[str] = mapped_column(String(GROUP_LENGTH), index=True)
    first_seen_dt: Mapped[datetime] = mapped_column(default=utcnow)
    completed_dt: Mapped[datetime | None]
    #: Reading time measured on the server between page views, each gap capped.
    seconds_spent: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<LessonProgress user={self.user_id} {self.lesson_group}>"


class ProgressChange(db.Model):
    """The last change to a learner's enrolments or lesson progress (written by triggers).

    One row per learner, rewritten by database triggers on ``lms_enrolments`` and
    ``lms_lesson_progress`` whatever wrote there (``lms.courses.kept_progress``): each
    process reads the rows changed since its last look, at most once a second, and forgets
    what it kept of those learners. ``stamp`` orders the changes: the writer's transaction
    id on PostgreSQL, one more than the highest stamp on SQLite (its writers take turns).
    No foreign key: a learner's row outlives the account, so a deletion is seen too.
    """

    __tablename__ = "lms_progress_changes"

    user_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    stamp: Mapped[int] = mapped_column(BigInteger, index=True)

    def __repr__(self) -> str:
        return f"<ProgressChange user={self.user_id} stamp={self.stamp}>"
