"""The question bank's tables: categories, questions in one language, immutable versions.

A question in the bank is one language of a *translation group* (like CMS items): the
Dutch and French texts of "how long is the quarantine" are two ``BankQuestion`` rows with the
same ``translation_group``, each with its own versions. Quizzes draw per category;
attempts record the exact ``QuestionVersion`` they asked (see docs/lms-question-bank.md).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, event, inspect, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.auth.models import User, utcnow
from content.extensions import db

__all__ = ["BankQuestion", "Category", "QuestionVersion", "new_translation_group"]


def new_translation_group() -> str:
    """Return a fresh translation group identifier for a new question."""
    return str(uuid.uuid4())


class Category(db.Model):
    """A folder of the bank; quizzes draw N questions per category.

    Its name is for authors only (learners never see it), so it has one name rather than
    one per language.
    """

    __tablename__ = "lms_question_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    # RESTRICT: a category with subcategories is not deleted by accident (operations refuse).
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_question_categories.id"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[Category | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Category]] = relationship(
        back_populates="parent", order_by="Category.name"
    )
    questions: Mapped[list[BankQuestion]] = relationship(back_populates="category")

    @property
    def path(self) -> str:
        """Return the names from the root down to this category, joined by ``/``."""
        names, category = [], self
        while category is not None:
            names.append(category.name)
            category = category.parent
        return "/".join(reversed(names))

    def __repr__(self) -> str:
        return f"<Category {self.id} {self.name!r}>"


class BankQuestion(db.Model):
    """A question in one language; its content lives in versions (the latest is current).

    ``retired_dt`` takes a question out of new draws without deleting what attempts used.
    """

    __tablename__ = "lms_questions"
    __table_args__ = (
        UniqueConstraint("translation_group", "language", name="uq_lms_questions_group_language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("lms_question_categories.id"), index=True)
    translation_group: Mapped[str] = mapped_column(
        String(36), index=True, default=new_translation_group
    )
    language: Mapped[str] = mapped_column(String(8))
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)
    retired_dt: Mapped[datetime | None]

    category: Mapped[Category] = relationship(back_populates="questions")
    versions: Mapped[list[QuestionVersion]] = relationship(
        back_populates="question", order_by="QuestionVersion.number"
    )

    @property
    def current_version(self) -> QuestionVersion | None:
        """Return the latest version (None only while a question is being created)."""
        return self.versions[-1] if self.versions else None

    def __repr__(self) -> str:
        return f"<BankQuestion {self.id} {self.language} {self.translation_group[:8]}>"


class QuestionVersion(db.Model):
    """The content of a question at one point: kind and the spec JSON (serialize.py).

    Immutable once an attempt used it: editing then adds a new version, so every result
    can be proven with the exact question that was asked.
    """

    __tablename__ = "lms_question_versions"
    __table_args__ = (
        UniqueConstraint("question_id", "number", name="uq_lms_question_versions_question_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("lms_questions.id"), index=True)
    #: 1, 2, 3… within the question.
    number: Mapped[int]
    #: The question type (``single_choice``…), also inside the spec; here for listings.
    kind: Mapped[str] = mapped_column(String(30))
    #: The author's title, also inside the spec; here for listings. Never shown to learners.
    name: Mapped[str] = mapped_column(String(255))
    spec_json: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)

    question: Mapped[BankQuestion] = relationship(back_populates="versions")
    created_by: Mapped[User | None] = relationship()

    @property
    def spec(self) -> dict:
        """Return the stored spec as JSON values."""
        return json.loads(self.spec_json)

    def __repr__(self) -> str:
        return f"<QuestionVersion {self.question_id}#{self.number} {self.kind}>"


#: What makes a version's content; none of it may change once an attempt asked it.
_CONTENT = ("kind", "name", "spec_json", "question_id", "number")


@event.listens_for(QuestionVersion, "before_update")
def _refuse_changing_an_asked_version(mapper, connection, target: QuestionVersion) -> None:
    """Last line of defence for the versioning rule (operations add a version instead)."""
    state = inspect(target)
    if not any(state.attrs[name].history.has_changes() for name in _CONTENT):
        return
    table = db.metadata.tables.get("lms_attempt_questions")
    if table is None:
        return
    asked = select(table.c.id).where(table.c.question_version_id == target.id).limit(1)
    if connection.execute(asked).first() is not None:
        raise ValueError(f"question version {target.id} was asked in an attempt: it never changes")
