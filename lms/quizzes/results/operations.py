"""The trainers' report of a quiz: attempts, pass rates, histogram, per-question figures.

Queries here, math in :mod:`lms.quizzes.results.statistics`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import median as statistics_median

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from content.extensions import db
from lms.courses.models import Enrolment
from lms.quizzes.attempts.models import SUBMITTED, Attempt, AttemptQuestion
from lms.quizzes.bank.models import QuestionVersion
from lms.quizzes.results import statistics
from lms.quizzes.settings.models import HIGHEST, QuizSettings
from lms.quizzes.settings.operations import quiz_settings

ATTEMPT_COLUMNS = [
    "learner",
    "email",
    "language",
    "attempt",
    "started",
    "submitted",
    "score",
    "max_score",
    "percent",
    "passed",
    "archived",
    "minutes",
]
QUESTION_COLUMNS = [
    "question_version_id",
    "question",
    "version",
    "kind",
    "language",
    "responses",
    "share_correct",
    "discrimination",
    "flagged",
]


@dataclass
class QuestionFigures:
    """A question version with its statistics."""

    version: QuestionVersion
    figures: statistics.ItemStatistics


@dataclass
class QuizReport:
    """What the results page shows for a quiz and its filters."""

    settings: QuizSettings
    attempts: list[Attempt]
    learners: int = 0
    attempt_pass_rate: float | None = None
    learner_pass_rate: float | None = None
    median_minutes: float | None = None
    histogram: list[int] = field(default_factory=list)
    bars: list[statistics.Bar] = field(default_factory=list)
    questions: list[QuestionFigures] = field(default_factory=list)


def quiz_report(
    quiz_group: str,
    *,
    language: str | None = None,
    cohort: str | None = None,
    archived: bool = False,
):
    """Build the report over submitted attempts (of this cycle, unless ``archived``).

    :param language: only attempts taken in this language.
    :param cohort: only learners enrolled (in any module) with this cohort.
    """
    settings = quiz_settings(quiz_group)
    conditions = [Attempt.quiz_group == quiz_group, Attempt.state == SUBMITTED]
    if language:
        conditions.append(Attempt.language == language)
    if cohort:
        in_cohort = select(Enrolment.user_id).where(Enrolment.cohort == cohort)
        conditions.append(Attempt.user_id.in_(in_cohort))
    if not archived:
        conditions.append(Attempt.archived.is_(False))
    query = (
        select(Attempt)
        .where(*conditions)
        .options(joinedload(Attempt.user))
        .order_by(Attempt.submitted_dt, Attempt.id)
    )
    attempts = list(db.session.scalars(query).unique())
    report = QuizReport(settings=settings, attempts=attempts)
    if not attempts:
        return report
    by_learner: dict[int, list[Attempt]] = {}
    for attempt in attempts:
        by_learner.setdefault(attempt.user_id, []).append(attempt)
    report.learners = len(by_learner)
    report.attempt_pass_rate = statistics.pass_rate(bool(a.passed) for a in attempts)
    report.learner_pass_rate = statistics.pass_rate(
        _grade(own, settings) >= settings.pass_percent for own in by_learner.values()
    )
    report.median_minutes = statistics_median(minutes_taken(a) for a in attempts)
    report.histogram = statistics.histogram(float(a.percent) for a in attempts)
    report.bars = statistics.histogram_bars(report.histogram)
    report.questions = _question_figures(attempts, select(Attempt.id).where(*conditions))
    return report


def minutes_taken(attempt: Attempt) -> int:
    """Return the whole minutes from start to submission (rounded up, at least 1)."""
    seconds = (attempt.submitted_dt - attempt.started_dt).total_seconds()
    return max(1, math.ceil(seconds / 60))


def _grade(attempts: list[Attempt], settings: QuizSettings):
    """A learner's grade by the quiz's grading method (attempts in submission order)."""
    if settings.grading_method == HIGHEST:
        return max(a.percent for a in attempts)
    return max(attempts, key=lambda a: a.number).percent


def _question_figures(attempts: list[Attempt], attempt_ids) -> list[QuestionFigures]:
    """Per question version: share correct and discrimination over these attempts.

    :param attempt_ids: a subquery of the attempts' ids (no long IN list of numbers).
    """
    totals = {a.id: float(a.score) for a in attempts}
    rows = db.session.execute(
        select(
            AttemptQuestion.attempt_id,
            AttemptQuestion.question_version_id,
            AttemptQuestion.fraction,
            AttemptQuestion.mark_awarded,
        ).where(AttemptQuestion.attempt_id.in_(attempt_ids))
    ).all()
    figures = statistics.item_statistics(
        [(a, v, float(f or 0), float(m or 0)) for a, v, f, m in rows], totals
    )
    versions = {
        v.id: v
        for v in db.session.scalars(
            select(QuestionVersion)
            .where(QuestionVersion.id.in_([f.version_id for f in figures]))
            .options(joinedload(QuestionVersion.question))
        )
    }
    shown = [QuestionFigures(versions[f.version_id], f) for f in figures]
    # Questions to look at first: flagged, then by discrimination (lowest first).
    shown.sort(
        key=lambda q: (
            not q.figures.flagged,
            q.figures.discrimination if q.figures.discrimination is not None else 2,
        )
    )
    return shown


def attempt_rows(report: QuizReport) -> list[list]:
    """The attempts as CSV rows (ATTEMPT_COLUMNS)."""
    return [
        [
            a.user.display_name,
            a.user.email,
            a.language,
            a.number,
            a.started_dt.isoformat(),
            a.submitted_dt.isoformat() if a.submitted_dt else "",
            a.score,
            a.max_score,
            a.percent,
            "yes" if a.passed else "no",
            "yes" if a.archived else "no",
            minutes_taken(a),
        ]
        for a in report.attempts
    ]


def question_rows(report: QuizReport) -> list[list]:
    """The per-question figures as CSV rows (QUESTION_COLUMNS)."""
    return [
        [
            q.version.id,
            q.version.name,
            q.version.number,
            q.version.kind,
            q.version.question.language,
            q.figures.responses,
            f"{q.figures.share_correct:.4f}",
            "" if q.figures.discrimination is None else f"{q.figures.discrimination:.4f}",
            "yes" if q.figures.flagged else "no",
        ]
        for q in report.questions
    ]
