"""A quiz's settings as learners' requests read them: plain values kept per process.

Every attempt request needs the settings (shuffling, deadline, pass mark, review
policy), and they change rarely, by a trainer. Each process keeps them as a frozen
:class:`QuizRules` per quiz, stamped with the content version
(:mod:`content.items.fragments`); :func:`~lms.quizzes.settings.operations.save_settings`
bumps that version, so a change reaches every host within ``PAGE_CACHE_CHECK_SECONDS``,
as a publication does. The settings page edits the stored row
(:func:`~lms.quizzes.settings.operations.quiz_settings`), never these.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal

from content.items.fragments import fragment_cache
from lms.quizzes.settings.models import QuizSettings
from lms.quizzes.settings.operations import quiz_settings


@dataclass(frozen=True)
class Draw:
    """Draw ``count`` questions from the bank category ``category_id``."""

    category_id: int
    count: int


@dataclass(frozen=True)
class QuizRules:
    """The settings of a quiz (same names as :class:`QuizSettings`), read-only."""

    quiz_group: str
    shuffle_questions: bool
    shuffle_answers: bool
    attempt_limit: int | None
    wait_minutes: int
    time_limit_minutes: int | None
    pass_percent: Decimal
    grading_method: str
    review_score: bool
    review_correctness: bool
    review_answers: bool
    review_feedback: bool
    review_when: str
    is_exam: bool
    close_dt: datetime | None
    draws: tuple[Draw, ...]

    @classmethod
    def of(cls, settings: QuizSettings) -> QuizRules:
        """Copy stored (or default) settings into plain values."""
        values = {
            field.name: getattr(settings, field.name)
            for field in fields(cls)
            if field.name != "draws"
        }
        draws = tuple(Draw(draw.category_id, draw.count) for draw in settings.draws)
        return cls(**values, draws=draws)


def quiz_rules(quiz_group: str) -> QuizRules:
    """Return the quiz's settings as of the current content version (read once per process)."""
    return fragment_cache().get_or_make(
        ("lms.quiz_rules", quiz_group), lambda: QuizRules.of(quiz_settings(quiz_group))
    )
