"""What the review page of a submitted attempt shows, limited by the quiz's review policy.

Nothing here is called before an attempt is submitted (``review_shown`` answers "show
nothing" then); each detail is only computed when the policy shows it, so what the
policy hides is not even in the template's context.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import format_decimal
from markupsafe import Markup

from content.auth.models import utcnow
from content.i18n import _
from lms.quizzes.attempts import operations
from lms.quizzes.attempts.models import SUBMITTED, Attempt
from lms.quizzes.questions.grading import feedback_texts, grade
from lms.quizzes.questions.types import (
    MatchingQuestion,
    NumericQuestion,
    Question,
    ShortTextQuestion,
    TrueFalseQuestion,
)
from lms.quizzes.settings.models import AFTER_CLOSE, IMMEDIATELY, QuizSettings
from lms.quizzes.settings.rules import QuizRules


@dataclass(frozen=True)
class ReviewShown:
    """What the review page of a submitted attempt may show now."""

    score: bool = False
    correctness: bool = False
    answers: bool = False
    feedback: bool = False

    @property
    def anything(self) -> bool:
        """Return whether any detail is shown."""
        return self.score or self.correctness or self.answers or self.feedback


def review_shown(attempt: Attempt, settings: QuizRules | QuizSettings, *, now=None) -> ReviewShown:
    """Apply the review policy: nothing before submitting; then what and when it says.

    "After the quiz closes" opens at ``close_dt``; without a close date it never opens.
    """
    now = now or utcnow()
    if attempt.state != SUBMITTED:
        return ReviewShown()
    if settings.review_when == IMMEDIATELY:
        open_now = True
    elif settings.review_when == AFTER_CLOSE:
        open_now = settings.close_dt is not None and now >= settings.close_dt
    else:
        open_now = False
    if not open_now:
        return ReviewShown()
    return ReviewShown(
        score=settings.review_score,
        correctness=settings.review_correctness,
        answers=settings.review_answers,
        feedback=settings.review_feedback,
    )


@dataclass
class ReviewedQuestion:
    """One question on the review page: what the learner saw and answered, and more."""

    slot: int
    view: dict[str, Any]
    response: Any
    #: Shown with ``correctness``: True right, False wrong, None partly right.
    correct: bool | None = None
    parts: dict[str, bool | None] = field(default_factory=dict)
    mark_awarded: Any = None
    max_mark: Any = None
    #: Shown with ``answers``: right option ids, or texts describing the right answers.
    right_options: set[str] = field(default_factory=set)
    right_texts: list[str] = field(default_factory=list)
    right_pairs: dict[str, str] = field(default_factory=dict)
    #: Shown with ``feedback``.
    feedback: list[str] = field(default_factory=list)


def _right_answers(question: Question, reviewed: ReviewedQuestion) -> None:
    if hasattr(question, "options"):  # single and multiple choice
        reviewed.right_options = {o.id for o in question.options if o.fraction > 0}
    elif isinstance(question, TrueFalseQuestion):
        reviewed.right_texts = ["true" if question.answer else "false"]
    elif isinstance(question, NumericQuestion):
        reviewed.right_texts = [_numeric_text(a) for a in question.answers if a.fraction > 0]
    elif isinstance(question, ShortTextQuestion):
        reviewed.right_texts = [a.text for a in question.answers if a.fraction > 0]
    elif isinstance(question, MatchingQuestion):
        reviewed.right_pairs = {pair.id: pair.answer for pair in question.pairs}


def _numeric_text(answer) -> str:
    if hasattr(answer, "minimum"):
        return f"{answer.minimum} – {answer.maximum}"
    if answer.tolerance:
        return f"{answer.value} ± {answer.tolerance}"
    return str(answer.value)


def review_questions(attempt: Attempt, shown: ReviewShown) -> list[ReviewedQuestion]:
    """Return the attempt's questions with the details the policy shows now."""
    if not attempt.is_submitted:
        raise ValueError("no review before the attempt is submitted")
    settings = operations.quiz_rules(attempt.quiz_group)
    reviewed = []
    for attempt_question in operations.asked_questions(attempt):
        question = operations.question_of(attempt_question)
        response = operations.response_of(attempt_question)
        item = ReviewedQuestion(
            slot=attempt_question.slot,
            view=question.public_view(
                operations.answer_rng(attempt, attempt_question.slot, settings)
            ),
            response=response,
        )
        result = grade(question, response)
        if shown.correctness:
            item.correct = result.correct
            item.parts = dict(result.parts)
        if shown.score:
            item.mark_awarded = attempt_question.mark_awarded
            item.max_mark = attempt_question.max_mark
        if shown.answers:
            _right_answers(question, item)
        if shown.feedback:
            item.feedback = [text for text in feedback_texts(question, result) if text]
            if question.general_feedback:
                item.feedback.append(question.general_feedback)
        reviewed.append(item)
    return reviewed


def points_texts(reviewed: list[ReviewedQuestion]) -> dict[int, Markup]:
    """Return per slot "<awarded> of <max> points", as the template's ``_()`` renders it.

    Translated once and formatted once per pair of marks (an exam's marks repeat: 0 or 1
    of 1), not twice per question.
    """
    message = Markup(_("%(awarded)s of %(max)s points"))  # noqa: S704 - a translation, as Jinja's
    made: dict[tuple, Markup] = {}
    texts = {}
    for item in reviewed:
        marks = (item.mark_awarded, item.max_mark)
        if marks not in made:
            made[marks] = message % {
                "awarded": format_decimal(item.mark_awarded),
                "max": format_decimal(item.max_mark),
            }
        texts[item.slot] = made[marks]
    return texts
