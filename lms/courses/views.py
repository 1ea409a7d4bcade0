"""Request handling of the learners' pages: catalogue, module, lesson, enrolment."""

from __future__ import annotations

from flask import Response, abort, flash, g, redirect, render_template, url_for
from flask_login import current_user

from content.auth.reader_passes import on_reader_pass
from content.auth.redirects import redirect_to_login
from content.auth.roles import AUTHENTICATED, requires
from content.auth.sessions import checked_user, signed_in_reader
from content.extensions import db
from content.i18n import _, language_names
from content.items import operations as items
from content.items.models import ContentItem
from content.items.page_cache import kept_for_readers
from content.items.urls import item_url
from content.rendering import render_markdown
from lms.courses import modules, outline
from lms.courses import operations as courses
from lms.courses.forms import ActionForm
from lms.courses.models import Enrolment


def _module_or_404(module_id: int) -> ContentItem:
    """Return a published module, or answer 404."""
    module = db.session.get(ContentItem, module_id)
    if module is None or module.type != modules.MODULE or not module.is_live:
        abort(404)
    return module


def _link_translations(module: ContentItem, members: dict[str, ContentItem] | None = None) -> None:
    """Point the language switcher at the module's page in the other languages.

    :param members: ``live_members`` of the module's group, when the caller has them.
    """
    if members is None:
        members = modules.live_members(module.translation_group)
    g.language_alternatives = {
        code: url_for("courses.view_module", lang_code=code, module_id=member.id)
        for code in language_names()
        for member in [members.get(code)]
        if member is not None
    }


def entry_url(module: ContentItem, entry: modules.ModuleItem) -> str:
    """Return the learner's URL of a lesson or quiz of a module."""
    endpoint = "courses.open_quiz" if entry.is_quiz else "courses.view_lesson"
    return url_for(endpoint, module_id=module.id, item_id=entry.item.id)


@requires(AUTHENTICATED)
def list_modules():
    """The catalogue in the learner's language, with progress and where to resume."""
    user = current_user._get_current_object()
    mine = courses.enrolments(user)
    listed = []
    for module, revision in modules.catalogue(g.lang_code):
        row = mine.get(module.translation_group)
        done, total = courses.module_progress(user, module) if row else (0, 0)
        missing = [] if row else courses.missing_prerequisites(user, module.translation_group)
        titles = [courses.module_title(group, g.lang_code) for group in missing]
        listed.append((module, revision, row, done, total, titles))
    resume = max(
        (m for m in listed if m[2] and m[2].completed_dt is None and m[2].last_item_group),
        key=lambda m: m[2].last_seen_dt or m[2].enrolled_dt,
        default=None,
    )
    return render_template("courses/catalogue.html", modules=listed, resume=resume)


@requires(AUTHENTICATED)
def view_module(module_id: int):
    """A module: its text, its lessons and quizzes with done / not done, enrolment."""
    module = _module_or_404(module_id)
    user = current_user._get_current_object()
    group = module.translation_group
    row = courses.enrolment(user, group)
    found = courses.items_with_progress(user, module) if row else modules.module_items(module)
    _link_translations(module)
    missing = [
        courses.module_title(m, g.lang_code) for m in courses.missing_prerequisites(user, group)
    ]
    return render_template(
        "courses/module.html",
        module=module,
        revision=items.live(module),
        body=render_markdown(items.live(module).body),
        found=found,
        enrolment=row,
        settings=modules.settings_of(group),
        missing=missing,
        next_entry=courses.next_item(found, row.last_item_group) if row else None,
        entry_url=entry_url,
        form=ActionForm(),
    )


@requires(AUTHENTICATED)
def enrol_module(module_id: int):
    """Enrol the signed-in learner; refused (with the reason) without the prerequisites."""
    module = _module_or_404(module_id)
    if ActionForm().validate_on_submit():
        try:
            courses.enrol(current_user._get_current_object(), module.translation_group)
        except modules.CourseError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("You are enrolled. Start with the first lesson."), "success")
    return redirect(url_for("courses.view_module", module_id=module.id))


def _to_module(module_id: int):
    return redirect(url_for("courses.view_module", module_id=module_id))


def _enrolled_step(module_id: int, item_id: int, user_id: int, *, kept: bool = False):
    """Find a lesson or quiz of a module for a learner (the signed-in one).

    The module comes from its shared outline; the learner's enrolment and lessons done
    from one statement, or with ``kept`` from what this process keeps when the learner
    opens again the lesson they are on (then the enrolment is a ``KeptEnrolment``, and
    there is nothing to record). Quizzes are not marked done here (the lesson page needs
    no such mark; see ``courses.mark_quizzes_done``).

    :return: (outline, enrolment, the module's steps, the step, refusal); the refusal is
        a redirect to the module page (with the reason flashed) when the learner is not
        enrolled or the module's order keeps the item locked, else None.
    """
    module = outline.module_outline(module_id)
    if module is None:
        abort(404)
    wanted = next((item for item in module.items if item.id == item_id), None)
    if wanted is None:
        abort(404)
    row, done = courses.enrolment_and_lessons_done(
        user_id, module.group, module.lesson_groups(), repeat_of=wanted.group if kept else None
    )
    steps = [outline.Step(item, item.group in done) for item in module.items]
    step = next(s for s in steps if s.item.id == item_id)
    if row is None:
        flash(_("Enrol in the module to follow its lessons."), "error")
        return module, None, steps, step, _to_module(module.id)
    if module.is_required_order:
        blocking = courses.blocking_item(steps, step.group)
        if blocking is not None:
            flash(_("Finish “%(title)s” first.", title=blocking.item.title), "error")
            return module, row, steps, step, _to_module(module.id)
    return module, row, steps, step, None


@on_reader_pass
@requires(AUTHENTICATED)
def view_lesson(module_id: int, item_id: int):
    """A lesson, rendered as the CMS renders pages; opening it records progress and time.

    Opened on a reader pass of the session (decision 52): the learner's own enrolment and
    "done" marks are read, or kept in this process for a repeat view until they change
    (``lms.courses.kept_progress``); the session is checked in full before rendering or
    recording the view.
    """
    reader = signed_in_reader()
    module, row, _steps, step, refused = _enrolled_step(
        module_id, item_id, reader.user_id, kept=True
    )
    if refused is not None:
        return refused
    if step.is_quiz:
        abort(404)
    page = outline.lesson_page(module, step.item)
    if page is None:
        abort(404)
    g.language_alternatives = dict(page.alternatives)
    # The same for every learner with these roles and this "done" mark, but for the name
    # and the CSRF token (csrf_token() as in the page's header; no form object).
    html = kept_for_readers(
        f"done={step.done}",
        lambda: render_template("courses/lesson.html", outline=module, page=page, step=step),
    )
    if isinstance(html, Response):  # the session ended since the pass was made
        return html
    # After rendering, and mostly nothing at all: a lesson opened again within a minute is
    # not recorded again, so most views neither write nor commit (nor check the session).
    # A kept enrolment answered a repeat view (as of when it was looked up): nothing to record.
    if isinstance(row, Enrolment) and not courses.recorded_moments_ago(row, step):
        user = checked_user()  # never a write on a pass alone
        if user is None:
            return redirect_to_login()
        courses.record_view(user, row, step)
        db.session.commit()
    return html


@requires(AUTHENTICATED)
def complete_lesson(module_id: int, item_id: int):
    """Mark a lesson as done and continue with the next item that is not done."""
    module, row, steps, step, refused = _enrolled_step(module_id, item_id, current_user.id)
    if refused is not None:
        return refused
    if step.is_quiz or not ActionForm().validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    was_complete = row.completed_dt is not None
    completed = courses.mark_done(user, row, step)
    courses.mark_quizzes_done(user, steps)  # before the commit expires the user
    db.session.commit()
    if completed and not was_complete:
        flash(_("You completed this module."), "success")
        return redirect(url_for("courses.view_module", module_id=module.id))
    step.done = True
    following = courses.next_item(steps, step.group)
    if following is None:
        return redirect(url_for("courses.view_module", module_id=module.id))
    return redirect(entry_url(module, following))


@requires(AUTHENTICATED)
def open_quiz(module_id: int, item_id: int):
    """Remember the quiz as where the learner is, then open the quiz itself."""
    _module, row, _steps, step, refused = _enrolled_step(module_id, item_id, current_user.id)
    if refused is not None:
        return refused
    if not step.is_quiz:
        abort(404)
    courses.record_view(current_user._get_current_object(), row, step)
    db.session.commit()
    link = modules.quiz_link(step.group, g.lang_code)
    return redirect(link or item_url(db.session.get(ContentItem, step.item.id)))


@requires(AUTHENTICATED)
def resume_module(module_id: int):
    """Continue where the learner left off: the last item opened, else the next not done."""
    module = _module_or_404(module_id)
    user = current_user._get_current_object()
    row = courses.enrolment(user, module.translation_group)
    if row is None:
        return redirect(url_for("courses.view_module", module_id=module.id))
    found = courses.items_with_progress(user, module)
    last = next((e for e in found if e.group == row.last_item_group), None)
    target = (
        last
        if last is not None and not last.done
        else courses.next_item(found, row.last_item_group)
    )
    if target is None:
        return redirect(url_for("courses.view_module", module_id=module.id))
    return redirect(entry_url(module, target))
