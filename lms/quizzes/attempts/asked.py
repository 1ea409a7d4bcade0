"""The questions an attempt asked, and what the attempt page shows of them.

Only ``public_view()`` of a question and the learner's own responses leave this module
before submission (the no-leak rule, docs/lms-quizzes.md).
"""

from __future__ import annotations

import json
import random
from typing import Any

from content.kept import kept
from lms.quizzes.attempts.models import Attempt, AttemptQuestion
from lms.quizzes.bank import queries as bank
from lms.quizzes.questions.types import Question
from lms.quizzes.settings.models import QuizSettings
from lms.quizzes.settings.rules import QuizRules, quiz_rules


def asked_questions(attempt: Attempt) -> list[AttemptQuestion]:
    """Return the attempt's questions with their versions, loaded in one query.

    ``AttemptQuestion.version`` is loaded joined: a version loaded apart would cost a
    query per question (the identity map holds objects weakly, so preloading them in a
    list that is then dropped does not help).
    """
    return attempt.questions


def question_of(attempt_question: AttemptQuestion) -> Question:
    """Return the exact question version an attempt asked (parsed once per process).

    An asked version never changes, and questions are frozen dataclasses: safe to share.
    """
    version = attempt_question.version
    return kept("questions", 4096).get_or_make(version.id, lambda: bank.load_question(version))


def answer_rng(
    attempt: Attempt, slot: int, settings: QuizRules | QuizSettings
) -> random.Random | None:
    """Return the generator that orders a question's answers: the same on every reload."""
    if not settings.shuffle_answers:
        return None
    return random.Random(f"{attempt.seed}:{slot}")  # noqa: S311 - an order, not a secret


def public_questions(attempt: Attempt, *, shuffled: bool = True) -> list[dict[str, Any]]:
    """Return what the attempt page shows: per slot the public view and the saved response.

    Only ``public_view()`` goes in: no fraction, feedback or accepted answer.

    :param shuffled: answers in the attempt's order (the page); False: in a fixed order,
        enough to read a posted form, without reading the quiz's settings.
    """
    settings = quiz_rules(attempt.quiz_group) if shuffled else None
    shown = []
    for attempt_question in asked_questions(attempt):
        rng = answer_rng(attempt, attempt_question.slot, settings) if settings else None
        view = question_of(attempt_question).public_view(rng)
        shown.append(
            {
                "slot": attempt_question.slot,
                "view": view,
                "response": response_of(attempt_question),
            }
        )
    return shown


def response_of(attempt_question: AttemptQuestion) -> Any:
    """Return the saved response (None: not answered)."""
    if attempt_question.response_json is None:
        return None
    return json.loads(attempt_question.response_json)


def is_answered(response: Any) -> bool:
    """Return whether a response holds an answer (for "3 of 10 answered")."""
    if response is None:
        return False
    if isinstance(response, str):
        return bool(response.strip())
    if isinstance(response, list | dict):
        return any(
            is_answered(v) for v in (response.values() if isinstance(response, dict) else response)
        )
    return True
