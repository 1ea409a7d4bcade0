"""Request handling of the trainers' pages: modules, settings, order, enrolment, progress."""

from __future__ import annotations

from flask import Response, abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from content.auth.roles import requires
from content.extensions import db
from content.forms import attach_error
from content.i18n import _, language_names, ngettext
from content.items import operations as items
from content.items.models import ContentItem
from lms.courses import modules, trainers
from lms.courses.forms import EnrolForm, ModuleSettingsForm, MoveForm, OrderForm

MANAGE = "lms.manage_courses"
VIEW_PROGRESS = "lms.view_progress"


def _module_or_404(module_id: int) -> ContentItem:
    """Return a module in any state (trainers also set up drafts), or answer 404."""
    module = db.session.get(ContentItem, module_id)
    if module is None or module.type != modules.MODULE:
        abort(404)
    return module


def _module_choices(language: str) -> list[tuple[str, str]]:
    """Return (group, title) of every module, titled in ``language`` where it exists."""
    found = db.session.scalars(
        select(ContentItem).where(ContentItem.type == modules.MODULE).order_by(ContentItem.path)
    )
    by_group: dict[str, ContentItem] = {}
    for module in found:
        if module.language == language or module.translation_group not in by_group:
            by_group[module.translation_group] = module
    return [(group, items.latest(module).title) for group, module in by_group.items()]


@requires(MANAGE)
def manage_modules():
    """Every module (drafts too) with links to write it, set it up and follow learners."""
    found = db.session.scalars(
        select(ContentItem)
        .where(ContentItem.type == modules.MODULE, ContentItem.language == g.lang_code)
        .order_by(ContentItem.path)
    )
    root = items.language_root(g.lang_code)
    return render_template(
        "courses/manage.html",
        modules=[(module, items.latest(module)) for module in found],
        root=root,
    )


@requires(MANAGE)
def edit_module(module_id: int):
    """A module's settings and prerequisites, and the order of its lessons and quizzes."""
    module = _module_or_404(module_id)
    group = module.translation_group
    settings = modules.settings_of(group)
    form = ModuleSettingsForm(
        data=None
        if request.method == "POST"
        else {
            "is_required_order": settings.is_required_order,
            "is_self_enrolment": settings.is_self_enrolment,
            "prerequisites": modules.prerequisites(group),
        }
    )
    form.prerequisites.choices = [c for c in _module_choices(g.lang_code) if c[0] != group]
    if form.validate_on_submit():
        try:
            trainers.save_settings(
                module,
                is_required_order=form.is_required_order.data,
                is_self_enrolment=form.is_self_enrolment.data,
                required=form.prerequisites.data or [],
            )
        except modules.CourseError as exc:
            db.session.rollback()
            attach_error(form, exc)
        else:
            db.session.commit()
            flash(_("The module's settings are saved."), "success")
            return redirect(url_for("courses.edit_module", module_id=module.id))
    children = items.with_visible_revisions(list(module.children), current_user)
    status = 400 if form.is_submitted() else 200
    return render_template(
        "courses/edit_module.html",
        module=module,
        revision=items.latest(module),
        form=form,
        children=children,
        order_form=OrderForm(),
        move_form=MoveForm(),
    ), status


@requires(MANAGE)
def move_module_item(module_id: int, item_id: int):
    """Move a lesson or quiz one place up or down (the buttons without JavaScript)."""
    module = _module_or_404(module_id)
    item = db.session.get(ContentItem, item_id)
    if item is None or item.parent_id != module.id:
        abort(404)
    form = MoveForm()
    if form.validate_on_submit():
        trainers.move(module, item, form.offset.data)
        db.session.commit()
    return redirect(url_for("courses.edit_module", module_id=module.id) + f"#item-{item.id}")


@requires(MANAGE)
def reorder_module(module_id: int):
    """Save the order chosen by drag-and-drop (JSON answer for the script)."""
    module = _module_or_404(module_id)
    form = OrderForm()
    if not form.validate_on_submit():
        return jsonify(error=_("The order could not be saved. Reload the page.")), 400
    try:
        ordered = [int(part) for part in form.order.data.split(",") if part.strip()]
        trainers.reorder(module, ordered)
    except (ValueError, modules.CourseError):
        db.session.rollback()
        return jsonify(error=_("The order does not match the module's items.")), 400
    db.session.commit()
    return jsonify(message=_("The new order is saved."))


@requires(MANAGE)
def enrol_learners():
    """Enrol several learners at once (e-mail addresses), optionally as a cohort."""
    form = EnrolForm(module=request.args.get("module"))
    form.module.choices = _module_choices(g.lang_code)
    if form.validate_on_submit():
        try:
            enrolled = trainers.enrol_by_emails(
                form.emails.data,
                form.module.data,
                actor=current_user._get_current_object(),
                cohort=(form.cohort.data or "").strip(),
            )
        except trainers.EnrolmentProblems as problems:
            db.session.rollback()
            form.emails.errors.extend(problems.problems)
        except modules.CourseError as exc:
            db.session.rollback()
            attach_error(form, exc)
        else:
            db.session.commit()
            count = len(enrolled)
            flash(
                ngettext("%(num)d learner enrolled.", "%(num)d learners enrolled.", count),
                "success",
            )
            return redirect(url_for("courses.view_progress", cohort=form.cohort.data or None))
    status = 400 if form.is_submitted() else 200
    return render_template("courses/enrol.html", form=form), status


def _report():
    language = request.args.get("language", "")
    language = language if language in language_names() else ""
    cohort = request.args.get("cohort", "").strip()
    return trainers.progress_report(g.lang_code, learner_language=language, cohort=cohort), {
        "language": language,
        "cohort": cohort,
    }


@requires(VIEW_PROGRESS)
def view_progress():
    """Learners × modules, filtered by language and cohort; a chart and its table."""
    report, filters = _report()
    return render_template(
        "courses/progress.html",
        report=report,
        filters=filters,
        languages=language_names(),
        cohorts=trainers.cohorts(),
        chart=report.completion(),
    )


@requires(VIEW_PROGRESS)
def export_progress():
    """The same report as CSV (same filters)."""
    report, _filters = _report()
    return Response(
        trainers.progress_csv(report),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=training-progress.csv"},
    )
