"""The rules of quizzes: starting, saving, submitting and grading attempts; who may retry.

Every function that depends on the time takes ``now=`` (default: the current UTC time),
so tests can move the clock. Functions flush; the caller (a view) commits.
Grading happens on the server (:mod:`lms.quizzes.attempts.submitting`); learners only
ever receive ``public_view()`` of a question before they submit.

This module is the interface other parts import: starting is in ``starting.py``, saving
and grading in ``submitting.py``, the asked questions in ``asked.py``, the settings in
:mod:`lms.quizzes.settings`; grades across attempts are here.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import update

from content.extensions import db
from lms.quizzes.attempts.asked import (
    answer_rng,
    asked_questions,
    is_answered,
    public_questions,
    question_of,
    response_of,
)
from lms.quizzes.attempts.errors import AttemptClosed, QuizError
from lms.quizzes.attempts.models import SUBMITTED, Attempt
from lms.quizzes.attempts.starting import (
    StartStatus,
    current_attempts,
    start_attempt,
    start_status,
)
from lms.quizzes.attempts.submitting import (
    expire_if_overdue,
    grade_overdue_attempts,
    is_overdue,
    lock_attempt,
    lock_own_attempt,
    save_responses,
    submit_attempt,
)
from lms.quizzes.settings.models import HIGHEST
from lms.quizzes.settings.operations import (
    QUIZ_TYPE,
    default_settings,
    quiz_item,
    quiz_items,
    quiz_settings,
    quiz_url,
    save_settings,
)
from lms.quizzes.settings.rules import QuizRules, quiz_rules

# These names are part of this module's interface (docs/lms-quizzes.md), used by courses,
# certification, the seed and the attempt pages.
__all__ = [
    "QUIZ_TYPE",
    "AttemptClosed",
    "QuizError",
    "QuizRules",
    "StartStatus",
    "answer_rng",
    "archive_attempts",
    "asked_questions",
    "current_attempts",
    "default_settings",
    "expire_if_overdue",
    "grade_overdue_attempts",
    "is_answered",
    "is_overdue",
    "lock_attempt",
    "lock_own_attempt",
    "public_questions",
    "question_of",
    "quiz_grade",
    "quiz_item",
    "quiz_items",
    "quiz_passed",
    "quiz_result",
    "quiz_rules",
    "quiz_settings",
    "quiz_url",
    "response_of",
    "save_responses",
    "save_settings",
    "start_attempt",
    "start_status",
    "submit_attempt",
]


# Grades across attempts (the contract's interface) -----------------------------------


def quiz_result(user, quiz_group: str, attempts=None) -> tuple[Decimal | None, list[Attempt]]:
    """Return the user's grade (as :func:`quiz_grade`) and the graded attempts it counts.

    One query for both: certification reads the grade and the attempt that earned it.

    :param attempts: :func:`current_attempts`, when the caller has just read them.
    """
    if attempts is None:
        attempts = current_attempts(user, quiz_group)
    graded = [a for a in attempts if a.state == SUBMITTED]
    if not graded:
        return None, []
    if quiz_rules(quiz_group).grading_method == HIGHEST:
        return max(a.percent for a in graded), graded
    return graded[-1].percent, graded


def quiz_grade(user, quiz_group: str) -> Decimal | None:
    """Return the user's grade in percent by the quiz's grading method; None: no attempt.

    Counts submitted attempts of the current cycle (archived ones do not count).
    """
    return quiz_result(user, quiz_group)[0]


def quiz_passed(user, quiz_group: str) -> bool:
    """Return whether the user's grade reaches the quiz's pass mark."""
    result = quiz_grade(user, quiz_group)
    return result is not None and result >= quiz_rules(quiz_group).pass_percent


def archive_attempts(user, quiz_group: str) -> int:
    """Start a fresh cycle: earlier attempts stay recorded but no longer count.

    They leave the attempt limit, the waiting time and the grade; an attempt in progress
    is archived too. Return how many attempts were archived.
    """
    result = db.session.execute(
        update(Attempt)
        .where(
            Attempt.user_id == user.id,
            Attempt.quiz_group == quiz_group,
            Attempt.archived.is_(False),
        )
        .values(archived=True)
        .execution_options(synchronize_session="fetch")
    )
    db.session.flush()
    return result.rowcount
