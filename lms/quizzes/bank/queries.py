"""Reading the question bank: what quizzes draw from, and questions as dataclasses.

The names here are the bank's interface for attempts (:mod:`lms.quizzes.attempts.operations`):
:func:`current_versions`, :func:`load_question` and :func:`categories`. Changes to the
bank go through :mod:`lms.quizzes.bank.operations`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app, has_app_context
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from content.extensions import db
from lms.quizzes.bank.models import BankQuestion, Category, QuestionVersion
from lms.quizzes.questions.serialize import question_from_json
from lms.quizzes.questions.types import Question

__all__ = [
    "GroupRow",
    "categories",
    "category_tree",
    "current_versions",
    "fallback_languages",
    "load_question",
    "question_counts",
    "question_groups",
    "translation_counts",
]


def load_question(version: QuestionVersion) -> Question:
    """Return the question dataclass stored in ``version`` (for grading and display).

    :raise ValueError: the stored spec is not a valid question.
    """
    return question_from_json(json.loads(version.spec_json))


def categories() -> list[Category]:
    """Return every category, parents before their children, siblings by name."""
    return [category for category, _depth in category_tree()]


def category_tree() -> list[tuple[Category, int]]:
    """Return every category with its depth (0 for a root), depth first, by name."""
    rows = db.session.scalars(select(Category).order_by(Category.name, Category.id)).all()
    children: dict[int | None, list[Category]] = {}
    for category in rows:
        children.setdefault(category.parent_id, []).append(category)
    ordered: list[tuple[Category, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for category in children.get(parent_id, []):
            ordered.append((category, depth))
            walk(category.id, depth + 1)

    walk(None, 0)
    return ordered


def fallback_languages(language: str) -> list[str]:
    """Return the order languages are tried in: ``language``, the site default, the rest."""
    order = [language]
    if has_app_context():
        order += [current_app.config["BABEL_DEFAULT_LOCALE"], *current_app.config["LANGUAGES"]]
    return list(dict.fromkeys(order))


def current_versions(category_id: int, language: str) -> list[QuestionVersion]:
    """Return the current version of each question of the category, in ``language``.

    One version per translation group (per question, whatever its languages). A question
    not translated into ``language`` is represented by its version in the site's default
    language, else in the first site language it exists in, so that learners of every
    language draw from the same pool; ``version.question.language`` tells which.
    Retired questions are left out. Subcategories are not included. Ordered by the
    question's creation (its first row id).

    :param category_id: the category quizzes draw from.
    :param language: the learner's language.
    """
    latest = (
        select(QuestionVersion.question_id, func.max(QuestionVersion.number).label("number"))
        .group_by(QuestionVersion.question_id)
        .subquery()
    )
    rows = db.session.scalars(
        select(QuestionVersion)
        .join(
            latest,
            (latest.c.question_id == QuestionVersion.question_id)
            & (latest.c.number == QuestionVersion.number),
        )
        .join(QuestionVersion.question)
        .options(contains_eager(QuestionVersion.question))
        .where(BankQuestion.category_id == category_id, BankQuestion.retired_dt.is_(None))
        .order_by(BankQuestion.id)
    ).all()
    return _one_per_group(rows, fallback_languages(language))


def _one_per_group(
    versions: Sequence[QuestionVersion], languages: list[str]
) -> list[QuestionVersion]:
    """Keep, per translation group, the version in the first of ``languages`` it exists in."""
    rank = {code: index for index, code in enumerate(languages)}
    best: dict[str, QuestionVersion] = {}
    for version in versions:
        group = version.question.translation_group
        held = best.get(group)
        if held is None or _rank(version, rank) < _rank(held, rank):
            best[group] = version
    first_seen = {}
    for version in versions:
        first_seen.setdefault(version.question.translation_group, version.question_id)
    return sorted(best.values(), key=lambda v: first_seen[v.question.translation_group])


def _rank(version: QuestionVersion, rank: dict[str, int]) -> tuple[int, int]:
    """Languages in ``rank`` first (in order), others after, by question id."""
    return (rank.get(version.question.language, len(rank)), version.question_id)


@dataclass
class GroupRow:
    """One question of the bank page: its languages and what each language's row holds."""

    translation_group: str
    #: The question rows by language.
    members: dict[str, BankQuestion]

    def title_row(self, language: str) -> BankQuestion:
        """The row whose title the page shows: in ``language`` when it exists."""
        return self.members.get(language) or next(iter(self.members.values()))

    def missing(self, languages: list[str]) -> list[str]:
        """The site languages the question has not been translated into."""
        return [code for code in languages if code not in self.members]

    @property
    def retired(self) -> bool:
        """Whether the question is out of new draws (all languages retire together)."""
        return any(member.retired_dt is not None for member in self.members.values())


def question_groups(category_id: int | None = None) -> list[GroupRow]:
    """Return the questions (of a category, else of the bank) grouped by translation group.

    Rows come with their versions loaded; groups in order of creation.
    """
    query = select(BankQuestion).options(selectinload(BankQuestion.versions))
    if category_id is not None:
        query = query.where(BankQuestion.category_id == category_id)
    groups: dict[str, GroupRow] = {}
    for row in db.session.scalars(query.order_by(BankQuestion.id)):
        group = groups.setdefault(row.translation_group, GroupRow(row.translation_group, {}))
        group.members[row.language] = row
    return list(groups.values())


def question_counts() -> dict[int, int]:
    """Return per category id the number of questions (translation groups), in one query."""
    rows = db.session.execute(
        select(
            BankQuestion.category_id, func.count(func.distinct(BankQuestion.translation_group))
        ).group_by(BankQuestion.category_id)
    )
    return {category_id: count for category_id, count in rows}


def translation_counts(languages: list[str]) -> list[tuple[str, int, int]]:
    """Return per language: questions present, questions missing (retired ones left out)."""
    groups = [group for group in question_groups() if not group.retired]
    return [
        (code, sum(code in g.members for g in groups), sum(code not in g.members for g in groups))
        for code in languages
    ]
