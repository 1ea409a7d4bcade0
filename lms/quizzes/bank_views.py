"""Request handling of the question bank: categories, the question editor, import, export.

Trainers and administrators (``lms.manage_courses``) work here. The routes are added to
the ``quizzes`` blueprint at the bottom of this module (``blueprint.py`` imports it).
"""

from __future__ import annotations

import random

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_login import current_user
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from content.auth.roles import requires
from content.extensions import db
from content.i18n import _, language_names, ngettext, select_locale
from content.multilingual.operations import TranslationRow
from content.rendering import render_markdown
from lms.quizzes import bank
from lms.quizzes import bank_operations as operations
from lms.quizzes.bank_forms import (
    KIND_LABELS,
    ButtonForm,
    CategoryForm,
    ImportForm,
    QuestionForm,
    has_errors,
    question_form_data,
    read_question,
)
from lms.quizzes.bank_models import BankQuestion, Category, QuestionVersion
from lms.quizzes.blueprint import bp
from lms.quizzes.problems import QuestionImportError
from lms.quizzes.questions import Question

MANAGE = "lms.manage_courses"
#: Larger files are not question files a person wrote.
MAX_IMPORT_BYTES = 2 * 1024 * 1024


def _user():
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


def _category_choices(exclude: Category | None = None) -> list[SelectChoice]:
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


# The bank page and categories ---------------------------------------------------------


@requires(MANAGE)
def view_bank():
    """Categories, the questions of one category in every language, missing translations."""
    tree = bank.category_tree()
    selected = None
    if category_id := request.args.get("category", type=int):
        selected = db.get_or_404(Category, category_id)
    elif tree:
        selected = tree[0][0]
    names = language_names()
    return render_template(
        "quizzes/bank/bank.html",
        tree=tree,
        selected=selected,
        groups=bank.question_groups(selected.id) if selected else [],
        counts=bank.translation_counts(list(names)),
        names=names,
        kinds=KIND_LABELS,
        button_form=ButtonForm(),
    )


def _category_form(category: Category | None) -> CategoryForm:
    form = CategoryForm(obj=category) if category else CategoryForm()
    form.parent_id.choices = [SelectChoice(0, _("(top level)")), *_category_choices(category)]
    if category is not None and not form.is_submitted():
        form.parent_id.data = category.parent_id or 0
    return form


@requires(MANAGE)
def create_category():
    """Add a category."""
    form = _category_form(None)
    if request.method == "GET" and (parent := request.args.get("parent", type=int)):
        form.parent_id.data = parent
    return _save_category(form, None)


@requires(MANAGE)
def edit_category(category_id: int):
    """Rename, move or describe a category."""
    category = db.get_or_404(Category, category_id)
    return _save_category(_category_form(category), category)


def _save_category(form: CategoryForm, category: Category | None):
    if form.validate_on_submit():
        parent = db.session.get(Category, form.parent_id.data) if form.parent_id.data else None
        try:
            if category is None:
                category = operations.create_category(
                    form.name.data, parent, form.description.data or ""
                )
            else:
                operations.update_category(
                    category, form.name.data, parent, form.description.data or ""
                )
        except operations.BankError as error:
            db.session.rollback()
            getattr(form, error.field or "name").errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Category saved."), "success")
            return redirect(url_for("quizzes.view_bank", category=category.id))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "quizzes/bank/category.html", form=form, category=category, delete_form=ButtonForm()
    ), status


@requires(MANAGE)
def delete_category(category_id: int):
    """Delete an empty category."""
    category = db.get_or_404(Category, category_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    parent_id = category.parent_id
    try:
        operations.delete_category(category)
    except operations.BankError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("quizzes.edit_category", category_id=category_id))
    db.session.commit()
    flash(_("Category deleted."), "success")
    return redirect(url_for("quizzes.view_bank", category=parent_id))


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
        category_choices=_category_choices() if bank_question else [],
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
            bank_question = operations.create_question(category, language, question, _user())
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
        version = operations.edit_question(bank_question, question, _user())
        db.session.commit()
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
def translate_question(question_id: int):
    """Start a translation: a copy of the question in another language, to edit."""
    bank_question = db.get_or_404(BankQuestion, question_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    language = request.form.get("language", "")
    try:
        translation = operations.translate_question(bank_question, language, _user())
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
    restored = operations.restore_version(version, _user())
    db.session.commit()
    flash(_("Version %(number)d restored.", number=version.number), "success")
    return redirect(url_for("quizzes.view_question_version", version_id=restored.id))


# Import and export ----------------------------------------------------------------------


def _import_form() -> ImportForm:
    form = ImportForm()
    form.category_id.choices = _category_choices()
    form.language.choices = [SelectChoice(k, v) for k, v in language_names().items()]
    if not form.is_submitted():
        form.category_id.data = request.args.get("category", type=int)
        form.language.data = request.args.get("language") or next(iter(language_names()))
    return form


@requires(MANAGE)
def import_questions():
    """Upload a GIFT or Aiken file: every question is added, or none and every problem."""
    form = _import_form()
    problems = []
    if form.validate_on_submit():
        category = db.get_or_404(Category, form.category_id.data)
        text = _read_upload(form)
        if text is not None:
            try:
                added = operations.import_questions(
                    category,
                    text,
                    file_format=form.file_format.data,
                    language=form.language.data,
                    user=_user(),
                )
            except QuestionImportError as error:
                db.session.rollback()
                problems = error.problems
                form.file.errors.append(_("The file has problems; nothing was imported."))
            except operations.BankError as error:
                db.session.rollback()
                getattr(form, error.field or "file").errors.append(error.message)
            else:
                db.session.commit()
                flash(
                    ngettext(
                        "%(num)d question imported.", "%(num)d questions imported.", len(added)
                    ),
                    "success",
                )
                return redirect(url_for("quizzes.view_bank", category=category.id))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "quizzes/bank/import.html", form=form, problems=problems, has_categories=bool(
            form.category_id.choices)
    ), status  # fmt: skip


def _read_upload(form: ImportForm) -> str | None:
    """The uploaded file as text, or None with the error beside the field."""
    data = form.file.data.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        form.file.errors.append(_("The file is larger than 2 MB."))
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        form.file.errors.append(_("The file is not UTF-8 text."))
        return None


@requires(MANAGE)
def export_questions(category_id: int):
    """Download a category's current questions in one language as a GIFT file."""
    category = db.get_or_404(Category, category_id)
    language = request.args.get("language", "")
    if language not in language_names():
        abort(404)
    try:
        text = operations.export_category(category, language)
    except operations.BankError as error:
        flash(str(error.message), "error")
        return redirect(url_for("quizzes.view_bank", category=category.id))
    filename = f"questions-{category.id}-{language}.gift.txt"
    return (
        text,
        200,
        {
            "Content-Type": "text/plain; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{filename}"',
        },
    )


# The CMS translation overview ------------------------------------------------------------


def translation_rows() -> list[TranslationRow]:
    """Rows of the CMS translation overview: each question and its languages (not retired)."""
    section = _("Quiz questions")
    rows = []
    for group in bank.question_groups():
        if group.retired:
            continue
        shown = group.title_row(select_locale())
        rows.append(
            TranslationRow(
                section=section,
                title=f"{shown.category.path} · {shown.current_version.name}",
                language=shown.language,
                links={
                    code: url_for("quizzes.edit_question", question_id=member.id)
                    for code, member in group.members.items()
                },
            )
        )
    return rows


# Routes ---------------------------------------------------------------------------------

bp.add_url_rule("/bank/", "view_bank", view_bank)
bp.add_url_rule("/bank/categories/new", "create_category", create_category, methods=["GET", "POST"])
bp.add_url_rule(
    "/bank/categories/<int:category_id>", "edit_category", edit_category, methods=["GET", "POST"]
)
bp.add_url_rule(
    "/bank/categories/<int:category_id>/delete",
    "delete_category",
    delete_category,
    methods=["POST"],
)
bp.add_url_rule(
    "/bank/categories/<int:category_id>/questions/new",
    "create_question",
    create_question,
    methods=["GET", "POST"],
)
bp.add_url_rule("/bank/categories/<int:category_id>/export", "export_questions", export_questions)
bp.add_url_rule(
    "/bank/questions/<int:question_id>", "edit_question", edit_question, methods=["GET", "POST"]
)
bp.add_url_rule(
    "/bank/questions/<int:question_id>/translate",
    "translate_question",
    translate_question,
    methods=["POST"],
)
bp.add_url_rule(
    "/bank/questions/<int:question_id>/move", "move_question", move_question, methods=["POST"]
)
bp.add_url_rule(
    "/bank/questions/<int:question_id>/retire",
    "retire_question",
    retire_question,
    methods=["POST"],
)
bp.add_url_rule("/bank/questions/<int:question_id>/history", "question_history", question_history)
bp.add_url_rule("/bank/versions/<int:version_id>", "view_question_version", view_version)
bp.add_url_rule(
    "/bank/versions/<int:version_id>/restore",
    "restore_question_version",
    restore_version,
    methods=["POST"],
)
bp.add_url_rule("/bank/import", "import_questions", import_questions, methods=["GET", "POST"])
