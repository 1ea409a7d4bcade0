"""Request handling of practice calls: the learner's scenarios, the call, its feedback."""

from __future__ import annotations

import functools
from datetime import date

from flask import abort, g, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_login import current_user
from sqlalchemy import select

from content.auth.roles import requires
from content.extensions import db
from content.i18n import _, language_names
from tracing_app.practice import operations, results
from tracing_app.practice.forms import OutcomeForm
from tracing_app.practice.models import PracticeCall, PracticeScenario
from tracing_app.practice.scenarios import active_scenarios, text, title
from tracing_app.scripts import markup
from tracing_app.scripts import operations as scripts
from tracing_app.scripts.engine import repeat_count
from tracing_app.scripts.page_context import progress_text

WORK = "practice.work"
REVIEW = "practice.review"


def _scenario(code: str) -> PracticeScenario:
    scenario = db.session.scalar(
        select(PracticeScenario).where(
            PracticeScenario.code == code, PracticeScenario.active.is_(True)
        )
    )
    if scenario is None:
        abort(404)
    return scenario


@requires(WORK)
def list_scenarios():
    """The learner's practice scenarios, which are passed, and the calls made."""
    passed = operations.passed_scenario_ids(current_user)
    return render_template(
        "practice/list.html",
        scenarios=active_scenarios(),
        passed=passed,
        required=operations.required_count(),
        calls=operations.user_calls(current_user),
        title_of=lambda scenario: title(scenario, g.lang_code),
    )


def _submitted_answers() -> dict[str, str]:
    """The form's answers (several values of one name joined), without control fields."""
    return {
        name: " ".join(v for v in request.form.getlist(name) if v)
        for name in request.form
        if not name.startswith("_") and name not in ("csrf_token", "outcome")
    }


@requires(WORK)
def practice_call(code: str):
    """The practice call: the real script form beside what the citizen says; no ticket."""
    scenario = _scenario(code)
    version = operations.script_version(scenario)
    if version is None:
        abort(404)
    definition = scripts.definition(version)
    language = g.lang_code
    form = OutcomeForm()
    action = request.form.get("_action", "check") if request.method == "POST" else None
    if action is None:
        answered = scripts.initial_answers(definition, today=scripts.today())
    else:
        answered = _submitted_answers()
        if action.startswith("add:"):
            key = action.removeprefix("add:")
            answered[key] = str(repeat_count(answered, key) + 1)
    state = scripts.evaluate_form(definition, answered, language=language, today=scripts.today())
    status = 200
    errors = state.shown_errors(include_missing=action == "complete")
    texts = functools.partial(definition.text, language=language)
    if action == "complete":
        outcome_ok = form.validate_on_submit()
        if state.complete and outcome_ok:
            values = {**state.values, **state.normalized}
            known = {slot.key for slot in state.slots}
            values = {key: value for key, value in values.items() if key in known}
            call = operations.record_call(
                current_user, scenario, version,
                language=language, values=values, outcome=form.outcome.data,
            )  # fmt: skip
            db.session.commit()
            return redirect(url_for("practice.view_result", call_id=call.id))
        status = 400
    return render_template(
        "practice/call.html",
        scenario=scenario,
        scenario_title=title(scenario, language),
        citizen=scenario.definition["citizen"],
        birth_date=format_date(
            date.fromisoformat(scenario.definition["citizen"]["birth_date"]), "long"
        ),
        says=text(scenario.definition["says"], language),
        version=version,
        definition=definition,
        state=state,
        errors=errors,
        language=language,
        text=texts,
        languages=language_names(),
        questions_html=markup.questions_html(
            version.id, definition, state, errors, language, texts
        ),
        progress=progress_text(*state.section_progress(definition)),
        form=form,
        form_problem=status == 400
        and _("Some answers are missing or wrong: see the messages beside the fields."),
    ), status


@requires(WORK)
def view_result(call_id: int):
    """The feedback of one of the learner's own practice calls."""
    call = db.get_or_404(PracticeCall, call_id)
    if call.user_id != current_user.id:
        abort(404)  # another learner's call
    return render_template(
        "practice/result.html",
        call=call,
        scenario_title=title(call.scenario, g.lang_code),
        feedback=operations.feedback(call, g.lang_code),
        required=operations.required_count(),
        passed_count=len(operations.passed_scenario_ids(current_user)),
    )


@requires(REVIEW)
def list_results():
    """Trainers: practice results per learner and per scenario."""
    scenarios = active_scenarios()
    return render_template(
        "practice/results.html",
        scenarios=scenarios,
        learners=results.by_learner(scenarios),
        per_scenario=results.by_scenario(scenarios),
        required=operations.required_count(),
        title_of=lambda scenario: title(scenario, g.lang_code),
    )
