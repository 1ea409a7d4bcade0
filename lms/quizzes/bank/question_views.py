"""Request handling of bank questions: the editor with its preview, translations, versions.

Trainers and administrators (``lms.manage_courses``). Routes: see :mod:`lms.quizzes.bank.blueprint`.
"""

from __future__ import annotations

import random

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from content.auth.roles import requires
from content.extensions import db
from content.i18n import _, language_names
from content.rendering import render_markdown
from lms.quizzes.bank import operations
from lms.quizzes.bank import queries as bank
from lms.quizzes.bank.editor import has_errors, question_form_data, read_question
from lms.quizzes.bank.forms import KIND_LABELS, ButtonForm, QuestionForm
from lms.quizzes.bank.models import BankQuestion, Category, QuestionVersion
from lms.quizzes.questions.types import Question

MANAGE = "lms.manage_courses"


def current_author():
    """The signed-in user, as the author of what they save."""
    return current_user._get_current_object()


def render_question_preview(question: Question, language: str) -> Markup:
    """Render a question exactly as a learner of ``language`` sees it on the attempt page.

    Only ``public_view()`` is rendered, through the attempt page's own partial, with the
    interface strings in the question's language; options in a learner's random order.
    """
    view = question.public_view(random.Random())  # noqa: S311 - an order, not a secret
    with force_locale(language):
        html = render_template(
            "quizzes/_question.html",
            question=view,
            slot=1,
            response=None,
            disabled=False,
            markdown=render_markdown,
        )
    return Markup(html)  # noqa: S704 - rendered by an autoescaping template


def category_choices(exclude: Category | None = None) -> list[SelectChoice]:
    """Categories for a select, indented by depth (a category never goes inside itself)."""
    choices = []
    skipping_below = None
    for category, depth in bank.category_tree():
        if skipping_below is not None and depth > skipping_below:
            continue
        skipping_below = None
        if exclude is not None and category.id == exclude.id:
            skipping_below = depth
            continue
        choices.append(SelectChoice(category.id, "\N{EM DASH} " * depth + category.name))
    return choices


# The question editor --------------------------------------------------------------------


def _editor(form: QuestionForm, *, category: Category, bank_question: BankQuestion | None,
            language: str, preview: Markup | None = None, status: int = 200):  # fmt: skip
    return render_template(
        "quizzes/bank/editor.html",
        form=form,
        category=category,
        bank_question=bank_question,
        language=language,
        names=language_names(),
        translations=operations.translations(bank_question) if bank_question else {},
        preview=preview,
        button_form=ButtonForm(),
        category_choices=category_choices() if bank_question else [],
    ), status


def _handle_editor(form: QuestionForm, language: str):
    """Read a submitted editor: (question to save or None, preview, re-render?)."""
    if form.more_rows.data or form.change_kind.data:
        form.add_spare_rows() if form.more_rows.data else None
        return None, None
    form.validate()
    # Read the rows even when a common field failed: every error shows at once.
    question = read_question(form)
    if question is None:
        return None, None
    if form.preview.data:
        return None, render_question_preview(question, language)
    return question, None


@requires(MANAGE)
def create_question(category_id: int):
    """Write a new question in a category (type and language from the query)."""
    category = db.get_or_404(Category, category_id)
    language = request.args.get("language", "")
    if language not in language_names():
        abort(404)
    form = QuestionForm()
    if not form.is_submitted():
        form.kind.data = request.args.get("kind") if request.args.get("kind") in KIND_LABELS else (
            "single_choice"
        )  # fmt: skip
        return _editor(form, category=category, bank_question=None, language=language)
    question, preview = _handle_editor(form, language)
    if question is not None:
        try:
            bank_question = operations.create_question(
                category, language, question, current_author()
            )
        except operations.BankError as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(_("Question saved."), "success")
            return redirect(url_for("quizzes.edit_question", question_id=bank_question.id))
    status = 400 if has_errors(form) else 200
    return _editor(
        form,
        category=category,
        bank_question=None,
        language=language,
        preview=preview,
        status=status,
    )


@requires(MANAGE)
def edit_question(question_id: int):
    """Edit a question in one language; preview it as learners see it."""
    bank_question = db.get_or_404(BankQuestion, question_id)
    language = bank_question.language
    current = bank_question.current_version
    if request.method == "GET":
        saved = bank.load_question(current)
        form = QuestionForm(data=question_form_data(saved))
        form.base.data = operations.fingerprint(current)
        form.add_spare_rows()
        return _editor(
            form,
            category=bank_question.category,
            bank_question=bank_question,
            language=language,
            preview=render_question_preview(saved, language),
        )
    form = QuestionForm()
    question, preview = _handle_editor(form, language)
    if question is not None:
        before = (current.id, current.number)
        try:
            version = operations.edit_question(
                bank_question, question, current_author(), base=form.base.data or None
            )
            db.session.commit()
        except (operations.BankError, IntegrityError) as error:
            # IntegrityError: another save took the same version number a moment earlier.
            db.session.rollback()
            form.form_errors.append(
                error.message if isinstance(error, operations.BankError) else _(
                    "Someone else saved this question at the same moment: nothing was saved."
                )
            )  # fmt: skip
            return _editor(
                form,
                category=bank_question.category,
                bank_question=bank_question,
                language=language,
                status=409,
            )
        if (version.id, version.number) != before:
            flash(
                _(
                    "Saved as version %(number)d: attempts keep the version they asked.",
                    number=version.number,
                ),
                "success",
            )
        else:
            flash(_("Question saved."), "success")
        return redirect(url_for("quizzes.edit_question", question_id=bank_question.id))
    status = 400 if has_errors(form) else 200
    return _editor(
        form,
        category=bank_question.category,
        bank_question=bank_question,
        language=language,
        preview=preview,
        status=status,
    )


@requires(MANAGE)
def preview_question(question_id: int):
    """The question in every language it exists in, as learners of each language see it."""
    bank_question = db.get_or_404(BankQuestion, question_id)
    names = language_names()
    members = operations.translations(bank_question)
    previews = [
        (code, members[code], render_question_preview(
            bank.load_question(members[code].current_version), code))
        for code in names
        if code in members
    ]  # fmt: skip
    return render_template(
        "quizzes/bank/preview.html",
        bank_question=bank_question,
        previews=previews,
        missing=[name for code, name in names.items() if code not in members],
        names=names,
    )


@requires(MANAGE)
def translate_question(question_id: int):
    """Start a translation: a copy of the question in another language, to edit."""
    bank_question = db.get_or_404(BankQuestion, question_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    language = request.form.get("language", "")
    try:
        translation = operations.translate_question(bank_question, language, current_author())
    except operations.BankError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("quizzes.edit_question", question_id=question_id))
    db.session.commit()
    flash(_("Translation started as a copy: translate its texts and save."), "success")
    return redirect(url_for("quizzes.edit_question", question_id=translation.id))


@requires(MANAGE)
def move_question(question_id: int):
    """Move a question, with all its languages, to another category."""
    bank_question = db.get_or_404(BankQuestion, question_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    category = db.get_or_404(Category, request.form.get("category_id", type=int) or 0)
    operations.move_question(bank_question, category)
    db.session.commit()
    flash(_("Question moved to %(category)s.", category=category.path), "success")
    return redirect(url_for("quizzes.edit_question", question_id=question_id))


@requires(MANAGE)
def retire_question(question_id: int):
    """Take a question (every language) out of new draws, or bring it back."""
    bank_question = db.get_or_404(BankQuestion, question_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    retire = bank_question.retired_dt is None
    operations.retire_question(bank_question, retired=retire)
    db.session.commit()
    flash(
        _("Question retired: new attempts no longer draw it.")
        if retire
        else _("Question back in the draws."),
        "success",
    )
    return redirect(url_for("quizzes.view_bank", category=bank_question.category_id))


# Versions -------------------------------------------------------------------------------


@requires(MANAGE)
def question_history(question_id: int):
    """Every version of a question in one language, newest first."""
    bank_question = db.get_or_404(BankQuestion, question_id)
    versions = list(reversed(bank_question.versions))
    return render_template(
        "quizzes/bank/history.html",
        bank_question=bank_question,
        versions=versions,
        used={version.id: operations.version_used(version) for version in versions},
        names=language_names(),
        kinds=KIND_LABELS,
    )


@requires(MANAGE)
def view_version(version_id: int):
    """One version: its preview and its answers (for authors)."""
    version = db.get_or_404(QuestionVersion, version_id)
    question = bank.load_question(version)
    return render_template(
        "quizzes/bank/version.html",
        version=version,
        question=question,
        preview=render_question_preview(question, version.question.language),
        used=operations.version_used(version),
        kinds=KIND_LABELS,
        names=language_names(),
        button_form=ButtonForm(),
    )


@requires(MANAGE)
def restore_version(version_id: int):
    """Make an older version's content current again."""
    version = db.get_or_404(QuestionVersion, version_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    restored = operations.restore_version(version, current_author())
    db.session.commit()
    flash(_("Version %(number)d restored.", number=version.number), "success")
    return redirect(url_for("quizzes.view_question_version", version_id=restored.id))
