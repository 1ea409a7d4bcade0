"""Request handling of call scripts: editors upload and publish, agents fill forms."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from content.auth.roles import requires
from content.extensions import db
from content.i18n import _, _l, language_names
from content.transactions import commit_keeping_loaded
from tracing_app.scripts import checks, operations, page_context, xlsform
from tracing_app.scripts.engine import repeat_count
from tracing_app.scripts.forms import UploadForm, VersionStateForm
from tracing_app.scripts.models import DRAFT, PUBLISHED, RETIRED, FormResponse, ScriptVersion

EDIT = "scripts.edit"
FILL = "scripts.fill"

VERSION_STATE_LABELS = {DRAFT: _l("draft"), PUBLISHED: _l("published"), RETIRED: _l("retired")}


def version_state_labels() -> dict:
    """Template context of the scripts pages: the names of version states."""
    return {"state_labels": VERSION_STATE_LABELS}


def _render_form(
    template: str, version: ScriptVersion, state, language: str, *, check: bool, **context
):
    """Render a form; ``check`` also shows the answers still missing (after Check/Complete)."""
    return render_template(
        template, **page_context.questions_context(version, state, language, check=check), **context
    )


# The editors' side ------------------------------------------------------------------


@requires(EDIT)
def list_scripts():
    """List scripts and their versions; upload a new version."""
    form = UploadForm()
    problems = []
    if form.validate_on_submit():
        upload = form.file.data
        notes: list[xlsform.Problem] = []
        try:
            version = operations.upload_version(
                upload.read(operations.MAX_UPLOAD_BYTES + 1),
                upload.filename or "script.xlsx",
                actor=current_user._get_current_object(),
                notes=notes,
            )
        except xlsform.XLSFormError as exc:
            db.session.rollback()
            problems = exc.problems
            form.file.errors.append(_("The file has problems; nothing was imported."))
        except operations.ScriptError as exc:
            db.session.rollback()
            form.file.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Version %(number)d uploaded as a draft.", number=version.number), "success")
            for note in notes:
                flash(checks.format_problem(note), "info")
            return redirect(url_for("scripts.view_version", version_id=version.id))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "scripts/list.html",
        scripts=operations.list_scripts(),
        form=form,
        problems=problems,
        format_problem=checks.format_problem,
    ), status


@requires(EDIT)
def view_version(version_id: int):
    """Preview a version exactly as agents will see it, in any language; check answers."""
    version = db.get_or_404(ScriptVersion, version_id)
    definition = operations.definition(version)
    language = request.values.get("language") or definition.settings.default_language
    if language not in language_names():
        language = definition.settings.default_language
    answered = _submitted_answers() if request.method == "POST" else None
    if answered is None:
        answered = operations.initial_answers(definition, today=operations.today())
    state = operations.evaluate_form(
        definition, answered, language=language, today=operations.today()
    )
    return _render_form(
        "scripts/version.html",
        version,
        state,
        language,
        check=request.method == "POST",
        state_form=VersionStateForm(formdata=None),
    )


@requires(EDIT)
def change_version_state(version_id: int):
    """Publish or retire a version."""
    version = db.get_or_404(ScriptVersion, version_id)
    form = VersionStateForm()
    if form.validate_on_submit():
        try:
            if form.action.data == "publish":
                operations.publish(version)
            else:
                operations.retire(version)
        except operations.ScriptError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Saved."), "success")
    return redirect(url_for("scripts.view_version", version_id=version.id))


@requires(EDIT)
def compare_versions(version_id: int):
    """Show what changed from another version (``?other=``, default the one before)."""
    version = db.get_or_404(ScriptVersion, version_id)
    others = [v for v in version.script.versions if v.id != version.id]
    other_id = request.args.get("other", type=int)
    older = next((v for v in others if v.id == other_id), None)
    if older is None:
        older = next((v for v in reversed(others) if v.number < version.number), None)
    if older is None:
        abort(404)
    return render_template(
        "scripts/compare.html",
        version=version,
        older=older,
        others=others,
        body_diff=operations.compare_versions(older, version),
    )


@requires(EDIT)
def download_version(version_id: int):
    """Download a version as an XLSForm workbook."""
    version = db.get_or_404(ScriptVersion, version_id)
    data = xlsform.dump_xlsx(operations.definition(version))
    name = f"{version.script.form_id}-v{version.number}.xlsx"
    return current_app.response_class(
        data,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# The agent's side -------------------------------------------------------------------


@requires(FILL)
def list_forms():
    """The agent's open forms, and the published scripts to start a call with."""
    published = [
        (script, version)
        for script in operations.list_scripts()
        if (version := operations.current_version(script)) is not None
    ]
    return render_template(
        "scripts/forms.html",
        open_forms=operations.open_forms(current_user),
        published=published,
        title_of=lambda version: page_context.script_title(version, g.lang_code),
    )


@requires(FILL)
def start_form(version_id: int):
    """Start a call with the published version of a script, in the page's language."""
    version = db.get_or_404(ScriptVersion, version_id)
    try:
        response = operations.start_form(version, agent=current_user, language=g.lang_code)
    except operations.ScriptError as exc:
        flash(str(exc), "error")
        return redirect(url_for("scripts.list_forms"))
    db.session.commit()
    return redirect(url_for("scripts.fill_form", response_id=response.id))


def _own_form(response_id: int) -> FormResponse:
    # Every form screen reads the version (definition, title): in the same query.
    response = db.get_or_404(
        FormResponse, response_id, options=[joinedload(FormResponse.script_version)]
    )
    if response.agent_id != current_user.id:
        abort(404)  # another agent's form: not theirs to see
    return response


def _submitted_answers() -> dict[str, str]:
    """Read the answers of a submitted form (several values of one name are joined)."""
    return {
        name: " ".join(v for v in request.form.getlist(name) if v)
        for name in request.form
        if not name.startswith("_") and name != "csrf_token"
    }


@dataclass
class Submission:
    """What a submitted form did: the state to show, the status, and how it ended.

    ``outcome`` is ``saved``, ``complete`` (the form was completed), ``stale`` (changed in
    another window: nothing saved) or ``refused`` (the form cannot be saved any more).
    """

    state: object
    status: int
    outcome: str


def submit_answers(response: FormResponse) -> Submission:
    """Save a submitted form page (save, add a repeat, switch language, complete).

    Shared by the form's own page and the call desktop's script panel; the caller commits
    and renders or redirects.
    """
    submitted = _submitted_answers()
    action = request.form.get("_action", "save")
    if action.startswith("add:"):
        key = action.removeprefix("add:")
        submitted[key] = str(repeat_count(submitted, key) + 1)
    if action == "language":
        try:
            operations.set_language(response, request.form.get("_language", ""))
        except operations.ScriptError as exc:
            flash(str(exc), "error")
    try:
        # The state of the answers just saved: what the page below shows.
        state = operations.save_answers(
            response, submitted, base_revision=int(request.form.get("_revision", -1))
        )
    except operations.StaleAnswers:
        db.session.rollback()
        flash(
            _("These answers were changed in another window. Check them and save again."),
            "error",
        )
        return Submission(operations.state(response, submitted), 409, "stale")
    except operations.ScriptError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return Submission(None, 400, "refused")
    if action == "complete":
        db.session.flush()
        state = operations.complete(response)
        if state.complete:
            flash(_("The form is complete."), "success")
            return Submission(state, 200, "complete")
        flash(_("Some answers are missing or wrong: see the messages beside the fields."), "error")
        return Submission(state, 400, "saved")
    return Submission(state, 200, "saved")


def shows_check(method: str) -> bool:
    """Tell whether the page shows missing answers too (after Save and check, Complete)."""
    return method == "POST" and request.form.get("_action") in ("save", "complete")


@requires(FILL)
def fill_form(response_id: int):
    """The agent's screen: script and form in one; works fully without JavaScript."""
    response = _own_form(response_id)
    status = 200
    state = None
    if request.method == "POST":
        result = submit_answers(response)
        if result.outcome == "refused":
            return redirect(url_for("scripts.list_forms"))
        if result.outcome == "complete":
            db.session.commit()
            return redirect(url_for("scripts.list_forms"))
        if result.outcome == "stale":
            return _render_fill(response, result.state, check=True), 409
        state, status = result.state, result.status
        # The page below shows what was just saved: no need to read the rows again.
        commit_keeping_loaded()
    if state is None:
        state = operations.state(response)
    return _render_fill(response, state, check=shows_check(request.method)), status


def _render_fill(response: FormResponse, state, *, check: bool):
    """Render the form's own page, its panel posting back to it."""
    action = url_for("scripts.fill_form", response_id=response.id)
    return render_template(
        "scripts/fill.html",
        **page_context.form_context(response, state, check=check, action=action),
    )


@requires(FILL)
def autosave_form(response_id: int):
    """Save answers as the agent types (JSON) and answer with the new state."""
    response = _own_form(response_id)
    payload = request.get_json(silent=True) or {}
    submitted = payload.get("answers")
    if not isinstance(submitted, dict):
        abort(400)
    try:
        state = operations.save_answers(
            response,
            {str(k): str(v) for k, v in submitted.items()},
            base_revision=int(payload.get("revision", -1)),
        )
    except operations.StaleAnswers:
        db.session.rollback()
        return jsonify(error=_("These answers were changed in another window.")), 409
    except operations.ScriptError as exc:
        db.session.rollback()
        return jsonify(error=str(exc)), 400
    commit_keeping_loaded()  # the answer below reads the form just saved
    definition = operations.definition(response.script_version)
    done, total = state.section_progress(definition)
    text = page_context.texts(definition, response.language)
    return jsonify(
        revision=response.revision,
        visible=state.visible,
        errors=state.shown_errors(include_missing=False),
        notes=state.notes,
        progress=page_context.progress_text(done, total),
        # Options that depend on other answers (choice filters), to rebuild on the page.
        options={
            slot.key: [
                [choice.name, text(choice.label) or choice.name]
                for choice in state.options[slot.key]
            ]
            for slot in state.slots
            if slot.question.choice_filter
        },
    )
