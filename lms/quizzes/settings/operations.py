"""Quiz settings (draws, rules, review policy) and the quiz items of a translation group.

Re-exported by :mod:`lms.quizzes.attempts.operations`, the module other parts import.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from flask import url_for
from sqlalchemy import select

from content.auth.models import utcnow
from content.extensions import db
from content.items import operations as items
from content.items.models import ContentItem
from content.items.page_cache import bump_content_version
from lms.quizzes.bank import queries as bank
from lms.quizzes.settings.models import HIGHEST, IMMEDIATELY, QuizDraw, QuizSettings

QUIZ_TYPE = "quiz"


# Settings ---------------------------------------------------------------------------


def default_settings(quiz_group: str) -> QuizSettings:
    """Return unsaved settings with the defaults (a new quiz: practice, no limits)."""
    return QuizSettings(
        quiz_group=quiz_group,
        shuffle_questions=True,
        shuffle_answers=True,
        attempt_limit=None,
        wait_minutes=0,
        time_limit_minutes=None,
        pass_percent=Decimal(50),
        grading_method=HIGHEST,
        review_score=True,
        review_correctness=True,
        review_answers=False,
        review_feedback=True,
        review_when=IMMEDIATELY,
        is_exam=False,
        close_dt=None,
        draws=[],
    )


def quiz_settings(quiz_group: str) -> QuizSettings:
    """Return the settings of a quiz; unsaved defaults when none were saved."""
    return db.session.get(QuizSettings, quiz_group) or default_settings(quiz_group)


def save_settings(settings: QuizSettings, draws: Mapping[int, int], *, now=None) -> None:
    """Store settings and the number of questions drawn per category (0: none).

    Bumps the content version: every process reads the quiz's rules afresh
    (:mod:`lms.quizzes.settings.rules`).
    """
    settings.updated_dt = now or utcnow()
    wanted = {category_id: count for category_id, count in draws.items() if count > 0}
    for draw in list(settings.draws):
        if draw.category_id not in wanted:
            settings.draws.remove(draw)
        else:
            draw.count = wanted.pop(draw.category_id)
    for category_id, count in wanted.items():
        settings.draws.append(QuizDraw(category_id=category_id, count=count))
    db.session.add(settings)
    bump_content_version()
    db.session.flush()


# Quiz items -------------------------------------------------------------------------


def quiz_items(quiz_group: str) -> list[ContentItem]:
    """Return the quiz items of a translation group (one per language)."""
    return list(
        db.session.scalars(
            select(ContentItem)
            .where(ContentItem.translation_group == quiz_group, ContentItem.type == QUIZ_TYPE)
            .order_by(ContentItem.id)
        )
    )


def quiz_item(quiz_group: str, language: str, user=None) -> ContentItem | None:
    """Return the quiz item in ``language``, else in the first fallback language.

    :param user: when given, only items this user may see (live, or drafts for editors).
    """
    members = {item.language: item for item in quiz_items(quiz_group)}
    if user is not None:
        visible = items.visible_revisions(list(members.values()), user)
        members = {code: item for code, item in members.items() if item.id in visible}
    for code in [*bank.fallback_languages(language), *sorted(members)]:
        if code in members:
            return members[code]
    return None


def quiz_url(quiz_group: str, language: str) -> str | None:
    """Return the learner's page of a quiz in ``language`` (or a fallback); None: no quiz."""
    item = quiz_item(quiz_group, language)
    if item is None:
        return None
    return url_for("quizzes.view_quiz", lang_code=item.language, group=quiz_group)
