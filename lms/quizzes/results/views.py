"""Request handling of a quiz's results: the page and its CSV downloads (trainers)."""

from __future__ import annotations

import csv
import io

from flask import current_app, render_template, request

from content.auth.roles import requires
from content.i18n import language_names
from content.items import operations as items
from lms.courses.trainers import cohorts
from lms.quizzes.results import operations as results
from lms.quizzes.views import any_quiz_or_404

VIEW_PROGRESS = "lms.view_progress"


def _results_filters() -> dict:
    language = request.args.get("language") or None
    if language not in language_names():
        language = None
    cohort = request.args.get("cohort") or None
    return {
        "language": language,
        "cohort": cohort if cohort in cohorts() else None,
        "archived": request.args.get("archived") == "1",
    }


@requires(VIEW_PROGRESS)
def quiz_results(group: str):
    """Attempts, pass rate, score distribution and per-question statistics of a quiz."""
    item = any_quiz_or_404(group)
    filters = _results_filters()
    report = results.quiz_report(group, **filters)
    return render_template(
        "quizzes/results.html",
        item=item,
        revision=items.latest(item),
        report=report,
        filters=filters,
        languages=language_names(),
        cohorts=cohorts(),
        minutes_taken=results.minutes_taken,
    )


def _cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


@requires(VIEW_PROGRESS)
def export_results(group: str):
    """Download the attempts (``?kind=attempts``) or per-question figures as CSV."""
    any_quiz_or_404(group)
    filters = _results_filters()
    report = results.quiz_report(group, **filters)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if request.args.get("kind") == "questions":
        writer.writerow(results.QUESTION_COLUMNS)
        writer.writerows([[_cell(v) for v in row] for row in results.question_rows(report)])
        name = "questions"
    else:
        writer.writerow(results.ATTEMPT_COLUMNS)
        writer.writerows([[_cell(v) for v in row] for row in results.attempt_rows(report)])
        name = "attempts"
    return current_app.response_class(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="quiz-{name}.csv"'},
    )
