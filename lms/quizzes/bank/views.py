"""Request handling of the question bank: the bank page, categories, import, export.

Trainers and administrators (``lms.manage_courses``) work here; the question editor and
versions are in :mod:`lms.quizzes.bank.question_views`, the routes in
:mod:`lms.quizzes.bank.blueprint`.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from wtforms.fields.choices import SelectChoice

from content.auth.roles import requires
from content.extensions import db
from content.i18n import _, language_names, ngettext, select_locale
from content.multilingual.operations import TranslationRow
from lms.quizzes.bank import operations
from lms.quizzes.bank import queries as bank
from lms.quizzes.bank.forms import KIND_LABELS, ButtonForm, CategoryForm, ImportForm
from lms.quizzes.bank.models import Category
from lms.quizzes.bank.question_views import MANAGE, category_choices, current_author
from lms.quizzes.formats.problems import QuestionImportError

#: Larger files are not question files a person wrote.
MAX_IMPORT_BYTES = 2 * 1024 * 1024


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
        question_counts=bank.question_counts(),
        names=names,
        kinds=KIND_LABELS,
        button_form=ButtonForm(),
    )


def _category_form(category: Category | None) -> CategoryForm:
    form = CategoryForm(obj=category) if category else CategoryForm()
    form.parent_id.choices = [SelectChoice(0, _("(top level)")), *category_choices(category)]
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


# Import and export ----------------------------------------------------------------------


def _import_form() -> ImportForm:
    form = ImportForm()
    form.category_id.choices = category_choices()
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
                    user=current_author(),
                    categories_from_file=form.categories_from_file.data,
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
                # Questions spread over the file's categories: the whole bank shows them.
                spread = any(row.category_id != category.id for row in added)
                return redirect(
                    url_for("quizzes.view_bank", category=None if spread else category.id)
                )
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
