"""Grade a learner's response to a question, on the server.

Responses are plain JSON values: an option id, a list of option ids, ``true``/``false``,
a number typed as text, a text, or a mapping from prompt id to target. A response that
cannot be read (unknown id, malformed number, wrong shape) grades 0 with ``invalid`` set;
grading never raises for a learner's input. The rules and formulas are in
docs/lms-questions.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import singledispatch
from typing import Any

from lms.quizzes.questions.answers import parse_number
from lms.quizzes.questions.types import (
    MatchingQuestion,
    MultipleChoiceQuestion,
    NumericQuestion,
    Question,
    Scoring,
    ShortTextQuestion,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)

__all__ = ["Grade", "feedback_texts", "grade", "option_weights"]


@dataclass(frozen=True)
class Grade:
    """The outcome of grading one response.

    :param fraction: the credit, exactly, from 0 to 1.
    :param score: ``fraction × mark``, rounded half up to 2 decimals.
    :param correct: True for full credit, False for none, None for partial credit.
    :param parts: per option or prompt id: True right, False wrong, None not answered.
    :param feedback_ids: the ids whose feedback applies, for ``Question.feedback_text``.
    :param invalid: the response could not be read.
    """

    fraction: Fraction
    score: Decimal
    correct: bool | None
    parts: Mapping[str, bool | None] = field(default_factory=dict)
    feedback_ids: tuple[str, ...] = ()
    invalid: bool = False


def _grade(
    question: Question,
    fraction: Fraction,
    parts: Mapping[str, bool | None] | None = None,
    feedback_ids: tuple[str, ...] = (),
    *,
    invalid: bool = False,
) -> Grade:
    """Build a grade: clamp the fraction to [0, 1] and round the score to cents."""
    fraction = min(max(fraction, Fraction(0)), Fraction(1))
    cents = math.floor(fraction * Fraction(question.mark) * 100 + Fraction(1, 2))
    correct = True if fraction == 1 else False if fraction == 0 else None
    return Grade(fraction, Decimal(cents).scaleb(-2), correct, parts or {}, feedback_ids, invalid)


def _invalid(question: Question) -> Grade:
    return _grade(question, Fraction(0), invalid=True)


def _unanswered(response: Any) -> bool:
    return response is None or (isinstance(response, str) and not response.strip())


@singledispatch
def grade(question: Question, response: Any) -> Grade:
    """Grade ``response`` to ``question``; ``None`` (or blank text) is no answer, worth 0.

    :raise TypeError: for a question type without a grader.
    """
    raise TypeError(f"no grader for {type(question).__name__}")


def feedback_texts(question: Question, result: Grade) -> list[str]:
    """Return the feedback texts a grade refers to, in order."""
    return [question.feedback_text(feedback_id) for feedback_id in result.feedback_ids]


@grade.register(SingleChoiceQuestion)
def _grade_single_choice(question: SingleChoiceQuestion, response: Any) -> Grade:
    if _unanswered(response):
        return _grade(question, Fraction(0))
    option = next((o for o in question.options if o.id == response), None)
    if option is None:
        return _invalid(question)
    fraction = Fraction(option.fraction)
    right = True if fraction == 1 else False if fraction <= 0 else None
    return _grade(question, fraction, {option.id: right}, (option.id,) if option.feedback else ())


def option_weights(question: MultipleChoiceQuestion) -> dict[str, Fraction]:
    """Return what choosing each option adds under the partial rule.

    A right option adds its share of the right options' total (so they add up to
    exactly 1); a wrong option subtracts its own negative fraction, or, when it has none,
    one right option's worth: ``1 / (number of right options)``.
    """
    positive = [Fraction(o.fraction) for o in question.options if o.fraction > 0]
    total = sum(positive)
    weights = {}
    for option in question.options:
        if option.fraction > 0:
            weights[option.id] = Fraction(option.fraction) / total
        elif option.fraction < 0:
            weights[option.id] = Fraction(option.fraction)
        else:
            weights[option.id] = -Fraction(1, len(positive))
    return weights


@grade.register(MultipleChoiceQuestion)
def _grade_multiple_choice(question: MultipleChoiceQuestion, response: Any) -> Grade:
    if response is None:
        response = []
    if not isinstance(response, list | tuple) or not all(isinstance(r, str) for r in response):
        return _invalid(question)
    chosen = set(response)
    if not chosen <= {option.id for option in question.options}:
        return _invalid(question)
    right = {option.id for option in question.options if option.fraction > 0}
    if question.scoring is Scoring.ALL_OR_NOTHING:
        fraction = Fraction(chosen == right)
    else:
        weights = option_weights(question)
        fraction = sum((weights[option_id] for option_id in chosen), Fraction(0))
    parts = {o.id: (o.id in right) if o.id in chosen else None for o in question.options}
    feedback = tuple(o.id for o in question.options if o.id in chosen and o.feedback)
    return _grade(question, fraction, parts, feedback)


_BOOLEANS = {True: True, False: False, "true": True, "false": False}


@grade.register(TrueFalseQuestion)
def _grade_true_false(question: TrueFalseQuestion, response: Any) -> Grade:
    if _unanswered(response):
        return _grade(question, Fraction(0))
    if not isinstance(response, bool | str) or response not in _BOOLEANS:
        return _invalid(question)
    answer = _BOOLEANS[response]
    feedback_id = "true" if answer else "false"
    feedback = (feedback_id,) if question.feedback_text(feedback_id) else ()
    return _grade(question, Fraction(answer == question.answer), {}, feedback)


def _number(response: Any) -> Decimal | None:
    if isinstance(response, str):
        return parse_number(response)
    if isinstance(response, int) and not isinstance(response, bool):
        # Bounded before str(): huge ints are slow to convert (and refused past 4300 digits).
        return Decimal(response) if response.bit_length() <= 128 else None
    if isinstance(response, float) and math.isfinite(response):
        return Decimal(repr(response))
    return None


@grade.register(NumericQuestion)
def _grade_numeric(question: NumericQuestion, response: Any) -> Grade:
    if _unanswered(response):
        return _grade(question, Fraction(0))
    number = _number(response)
    if number is None:
        return _invalid(question)
    # The most generous accepted answer wins; among equals, the first.
    matches = [answer for answer in question.answers if answer.accepts(number)]
    if not matches:
        return _grade(question, Fraction(0))
    best = max(matches, key=lambda answer: answer.fraction)
    return _grade(question, Fraction(best.fraction), {}, (best.id,) if best.feedback else ())


@grade.register(ShortTextQuestion)
def _grade_short_text(question: ShortTextQuestion, response: Any) -> Grade:
    if _unanswered(response):
        return _grade(question, Fraction(0))
    if not isinstance(response, str):
        return _invalid(question)
    given = question.normalize(response)
    matches = [a for a in question.answers if question.normalize(a.text) == given]
    if not matches:
        return _grade(question, Fraction(0))
    best = max(matches, key=lambda answer: answer.fraction)
    return _grade(question, Fraction(best.fraction), {}, (best.id,) if best.feedback else ())


@grade.register(MatchingQuestion)
def _grade_matching(question: MatchingQuestion, response: Any) -> Grade:
    if response is None:
        response = {}
    if not isinstance(response, Mapping):
        return _invalid(question)
    pairs = {pair.id: pair for pair in question.pairs}
    targets = set(question.targets())
    for prompt_id, target in response.items():
        known = target is None or (isinstance(target, str) and target in targets)
        if prompt_id not in pairs or not known:
            return _invalid(question)
    parts = {
        pair.id: None if response.get(pair.id) is None else response[pair.id] == pair.answer
        for pair in question.pairs
    }
    right = sum(1 for part in parts.values() if part)
    return _grade(question, Fraction(right, len(pairs)), parts)
