"""Request handling of an attempt: start, answer (autosaved), confirm and submit, review.

Before submitting, pages and JSON hold only the questions' public views and the learner's
own responses; grading and everything the review shows come after (see the no-leak test).
"""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from content.auth.models import utcnow
from content.auth.roles import AUTHENTICATED, requires
from content.extensions import db
from content.i18n import _
from content.items import operations as items
from content.items.fragments import fragment_cache
from content.items.models import ContentItem
from content.items.urls import item_url
from lms.quizzes.attempts import markup, operations, review
from lms.quizzes.attempts.forms import responses_from_form
from lms.quizzes.attempts.models import IN_PROGRESS, Attempt
from lms.quizzes.forms import CsrfForm
from lms.quizzes.shown import shown_quiz


def _own_attempt(attempt_id: int, *, lock: bool = False) -> Attempt:
    """Return the signed-in learner's attempt (404 for anyone else's).

    :param lock: lock it for this transaction as it is loaded (a POST that writes): one
        statement, and the questions are then read once, as they stand under the lock.
    """
    if lock:
        attempt = operations.lock_own_attempt(attempt_id, current_user.id)
        if attempt is None:
            abort(404)
        return attempt
    # With its questions (and their versions) in the same statement: every page of an
    # attempt shows them.
    attempt = (
        db.session.execute(
            select(Attempt).where(Attempt.id == attempt_id).options(joinedload(Attempt.questions))
        )
        .unique()
        .scalar_one_or_none()
    )
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)  # another learner's attempt: not theirs to see
    return attempt


def _closed(attempt: Attempt) -> bool:
    """Grade an attempt past its deadline; return whether it takes no more answers."""
    if operations.expire_if_overdue(attempt):
        db.session.commit()
    return attempt.state != IN_PROGRESS


def _quiz_heading(item_id: int | None) -> tuple[str | None, str | None]:
    """Return the quiz item's title (its latest revision's) and URL; None where it has none.

    Kept per process and content version (every saved revision bumps it): the attempt
    pages read no item or revision.
    """

    def read() -> tuple[str | None, str | None]:
        item = db.session.get(ContentItem, item_id)
        if item is None:
            return None, None
        revision = items.latest(item)
        return (revision.title if revision else None), item_url(item)

    if item_id is None:
        return None, None
    return fragment_cache().get_or_make(("lms.quiz_heading", item_id), read)


def _quiz_title(attempt: Attempt) -> str:
    return _quiz_heading(attempt.quiz_item_id)[0] or _("Quiz")


@requires(AUTHENTICATED)
def start_attempt(group: str):
    """Start an attempt in the language of the quiz item shown (or resume the open one)."""
    quiz = shown_quiz(group)
    form = CsrfForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        attempt = operations.start_attempt(current_user, quiz)
        attempt_id = attempt.id  # read before the commit, which would reload the attempt
        db.session.commit()
    except operations.QuizError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("quizzes.view_quiz", group=group))
    except IntegrityError:
        # A second click started the same attempt number at the same time: resume it.
        db.session.rollback()
        return redirect(url_for("quizzes.view_quiz", group=group))
    return redirect(url_for("quizzes.take_attempt", attempt_id=attempt_id))


@requires(AUTHENTICATED)
def take_attempt(attempt_id: int):
    """The attempt page: every question in one form; saving works without JavaScript."""
    attempt = _own_attempt(attempt_id, lock=request.method == "POST")
    if _closed(attempt):
        return redirect(url_for("quizzes.review_attempt", attempt_id=attempt.id))
    if request.method == "POST":
        shown = operations.public_questions(attempt, shuffled=False)  # reads the form
        try:
            operations.save_responses(attempt, responses_from_form(request.form, shown))
        except operations.AttemptClosed as exc:
            db.session.commit()  # the attempt was graded as it stood at the deadline
            flash(str(exc), "error")
            return redirect(url_for("quizzes.review_attempt", attempt_id=attempt.id))
        db.session.commit()
        # attempt_id, not attempt.id: after the commit that would reload the attempt.
        if request.form.get("_action") == "finish":
            return redirect(url_for("quizzes.submit_attempt", attempt_id=attempt_id))
        flash(_("Your answers are saved."), "success")
        return redirect(url_for("quizzes.take_attempt", attempt_id=attempt_id))
    shown = operations.public_questions(attempt)
    return render_template(
        "quizzes/attempt.html",
        attempt=attempt,
        questions=markup.questions_html(attempt, shown),
        title=_quiz_title(attempt),
        now=utcnow(),
    )


@requires(AUTHENTICATED)
def autosave_attempt(attempt_id: int):
    """Save the attempt form's answers as the learner works (the form's own fields)."""
    attempt = _own_attempt(attempt_id, lock=True)
    review_url = url_for("quizzes.review_attempt", attempt_id=attempt.id)
    if _closed(attempt):
        return jsonify(error=_("This attempt takes no more answers."), location=review_url), 409
    shown = operations.public_questions(attempt, shuffled=False)  # reads the form
    try:
        operations.save_responses(attempt, responses_from_form(request.form, shown))
    except operations.AttemptClosed as exc:
        db.session.commit()
        return jsonify(error=str(exc), location=review_url), 409
    db.session.commit()
    answered = sum(operations.is_answered(operations.response_of(q)) for q in attempt.questions)
    return jsonify(
        message=_("All answers saved."),
        answered=answered,
        total=len(attempt.questions),
    )


@requires(AUTHENTICATED)
def submit_attempt(attempt_id: int):
    """Confirm (GET: what is still unanswered), then submit and grade (POST)."""
    attempt = _own_attempt(attempt_id, lock=request.method == "POST")
    if _closed(attempt):
        return redirect(url_for("quizzes.review_attempt", attempt_id=attempt.id))
    form = CsrfForm()
    if form.validate_on_submit():
        operations.submit_attempt(attempt)
        db.session.commit()
        flash(_("Your attempt has been submitted."), "success")
        return redirect(url_for("quizzes.review_attempt", attempt_id=attempt_id))
    unanswered = [
        q.slot for q in attempt.questions if not operations.is_answered(operations.response_of(q))
    ]
    return render_template(
        "quizzes/submit.html",
        attempt=attempt,
        unanswered=unanswered,
        title=_quiz_title(attempt),
        form=form,
        now=utcnow(),
    )


@requires(AUTHENTICATED)
def review_attempt(attempt_id: int):
    """The result of a submitted attempt, with what the review policy shows now."""
    attempt = _own_attempt(attempt_id)
    if not _closed(attempt):
        return redirect(url_for("quizzes.take_attempt", attempt_id=attempt.id))
    settings = operations.quiz_rules(attempt.quiz_group)
    shown = review.review_shown(attempt, settings)
    reviewed = review.review_questions(attempt, shown) if shown.anything else []
    html = markup.questions_html(attempt, reviewed, disabled=True)
    return render_template(
        "quizzes/review.html",
        attempt=attempt,
        settings=settings,
        shown=shown,
        questions=list(zip(reviewed, html, strict=True)),
        points=review.points_texts(reviewed) if shown.score else {},
        title=_quiz_title(attempt),
        quiz_item_url=_quiz_heading(attempt.quiz_item_id)[1],
    )


@requires("lms.view_progress")
def view_attempt_record(attempt_id: int):
    """Trainers: one attempt in full, with the exact question versions it asked (the proof)."""
    attempt = db.get_or_404(Attempt, attempt_id)
    if attempt.state == IN_PROGRESS:
        abort(404)  # nothing to prove yet, and answers in progress stay the learner's
    everything = review.ReviewShown(score=True, correctness=True, answers=True, feedback=True)
    return render_template(
        "quizzes/record.html",
        attempt=attempt,
        questions=review.review_questions(attempt, everything),
        versions={q.slot: q.version for q in operations.asked_questions(attempt)},
        title=_quiz_title(attempt),
    )
