"""Request handling of the quiz pages: the learner's quiz page and the trainers' list.

Starting and taking an attempt is in :mod:`lms.quizzes.attempts.views`, the settings in
:mod:`lms.quizzes.settings.views`, the results in :mod:`lms.quizzes.results.views`.
"""

from __future__ import annotations

from flask import abort, g, render_template
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from content.auth.roles import AUTHENTICATED, requires
from content.extensions import db
from content.items import operations as items
from content.items.fragments import shared
from content.items.models import ContentItem
from content.rendering import render_markdown
from content.revisions.models import Revision
from lms.quizzes.attempts import operations
from lms.quizzes.forms import CsrfForm
from lms.quizzes.shown import ShownQuiz, shown_quiz

VIEW_PROGRESS = "lms.view_progress"


def template_helpers() -> dict:
    """Template context of the quiz pages: Markdown rendering of question texts."""
    return {"markdown": render_markdown}


# Learners ---------------------------------------------------------------------------


def quiz_intro(quiz: ShownQuiz, settings) -> Markup:
    """Return the quiz page's title, instructions and rules, rendered once per process.

    Kept per quiz revision and page language until the content changes (saving the
    settings bumps the content version too); readers who may see drafts get it afresh.
    """

    def render() -> str:
        revision = db.session.scalar(
            select(Revision).where(
                Revision.item_id == quiz.id, Revision.number == quiz.revision_number
            )
        )
        return render_template(
            "quizzes/_quiz_intro.html",
            revision=revision,
            body=render_markdown(revision.body),
            settings=settings,
            question_count=sum(draw.count for draw in settings.draws),
        )

    html = shared(("lms.quiz_intro", quiz.id, quiz.revision_number, g.lang_code), render)
    return Markup(html)  # noqa: S704 - rendered by an autoescaping template


@requires(AUTHENTICATED)
def view_quiz(group: str):
    """The quiz's page: instructions, rules, attempts so far, start or resume."""
    quiz = shown_quiz(group)
    settings = operations.quiz_rules(group)
    status = operations.start_status(current_user, settings)
    if db.session.dirty:  # attempts past their deadline were just graded
        db.session.commit()
    # The attempts as start_status read them: no second read, no reload after a commit
    # that changed nothing.
    grade, _graded = operations.quiz_result(current_user, group, list(status.attempts))
    return render_template(
        "quizzes/quiz.html",
        quiz=quiz,
        intro=quiz_intro(quiz, settings),
        settings=settings,
        status=status,
        attempts=list(status.attempts),
        grade=grade,
        passed=grade is not None and grade >= settings.pass_percent,
        form=CsrfForm(),
    )


# Trainers ---------------------------------------------------------------------------


def any_quiz_or_404(group: str) -> ContentItem:
    """Return the quiz item in the page's language (else another), drafts included."""
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
