"""Request handling of quizzes: the quiz's page and start, trainers' settings and results.

The attempt pages are in :mod:`lms.quizzes.attempt_views`.
"""

from __future__ import annotations

import csv
import io

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from content.auth.roles import AUTHENTICATED, requires
from content.extensions import db
from content.i18n import _, language_names
from content.items import operations as items
from content.items.models import ContentItem
from content.items.urls import item_url
from content.rendering import render_markdown
from lms.courses.trainers import cohorts
from lms.quizzes import bank, operations, results
from lms.quizzes.forms import CsrfForm, settings_form
from lms.quizzes.models import QuizSettings

MANAGE = "lms.manage_courses"
VIEW_PROGRESS = "lms.view_progress"


def template_helpers() -> dict:
    """Template context of the quiz pages: Markdown rendering of question texts."""
    return {"markdown": render_markdown}


def _quiz_or_404(group: str) -> ContentItem:
    """Return the quiz item this user may see, in the page's language if it exists."""
    item = operations.quiz_item(group, g.lang_code, current_user)
    if item is None:
        abort(404)
    return item


# Learners ---------------------------------------------------------------------------


@requires(AUTHENTICATED)
def view_quiz(group: str):
    """The quiz's page: instructions, rules, attempts so far, start or resume."""
    item = _quiz_or_404(group)
    revision = items.visible_revision(item, current_user)
    settings = operations.quiz_settings(group)
    status = operations.start_status(current_user, settings)
    db.session.commit()  # attempts past their deadline were just graded
    return render_template(
        "quizzes/quiz.html",
        item=item,
        revision=revision,
        body=render_markdown(revision.body),
        settings=settings,
        status=status,
        attempts=operations.current_attempts(current_user, group),
        grade=operations.quiz_grade(current_user, group),
        passed=operations.quiz_passed(current_user, group),
        question_count=sum(draw.count for draw in settings.draws),
        item_url=item_url(item),
        form=CsrfForm(),
    )


@requires(AUTHENTICATED)
def start_attempt(group: str):
    """Start an attempt in the language of the quiz item shown (or resume the open one)."""
    item = _quiz_or_404(group)
    form = CsrfForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        attempt = operations.start_attempt(current_user, item)
        db.session.commit()
    except operations.QuizError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("quizzes.view_quiz", group=group))
    except IntegrityError:
        # A second click started the same attempt number at the same time: resume it.
        db.session.rollback()
        return redirect(url_for("quizzes.view_quiz", group=group))
    return redirect(url_for("quizzes.take_attempt", attempt_id=attempt.id))


# Trainers ---------------------------------------------------------------------------


def _any_quiz_or_404(group: str) -> ContentItem:
    item = operations.quiz_item(group, g.lang_code)
    if item is None:
        abort(404)
    return item


@requires(VIEW_PROGRESS)
def list_quizzes():
    """Every quiz (one line per translation group), with links to settings and results."""
    quizzes = db.session.scalars(
        select(ContentItem).where(ContentItem.type == operations.QUIZ_TYPE).order_by(ContentItem.id)
    ).all()
    groups: dict[str, list[ContentItem]] = {}
    for item in quizzes:
        groups.setdefault(item.translation_group, []).append(item)
    shown = []
    for group, members in groups.items():
        item = next((m for m in members if m.language == g.lang_code), members[0])
        revision = items.latest(item)
        shown.append((group, item, revision, sorted(m.language for m in members)))
    return render_template("quizzes/list.html", quizzes=shown)


@requires(MANAGE)
def edit_settings(group: str):
    """Trainers set the draws, shuffling, limits, timing, pass mark and review policy."""
    item = _any_quiz_or_404(group)
    settings = operations.quiz_settings(group)
    form = settings_form(bank.category_tree(), settings)
    if form.validate_on_submit():
        form.populate_obj(settings)
        settings.close_dt = form.close_dt_utc()
        operations.save_settings(settings, form.draws())
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("quizzes.edit_settings", group=group))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "quizzes/settings.html",
        item=item,
        revision=items.latest(item),
        form=form,
        saved=db.session.get(QuizSettings, group) is not None,
    ), status


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
    item = _any_quiz_or_404(group)
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
    _any_quiz_or_404(group)
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
