"""Markup kept per process on the agent's screen: the script's questions and the outcome form.

The kept markup filled in for a request must be what the templates render directly for
it, and must never hold what one agent typed for the next (docs/performance.md,
"Agents' requests").
"""

from __future__ import annotations

import datetime
import random
from datetime import time, timedelta
from pathlib import Path

import pytest
from flask import g, template_rendered
from markupsafe import Markup, escape

from content.auth.models import utcnow
from content.extensions import db
from tests.fixtures.web import post_form
from tracing_app.calls import operations
from tracing_app.calls.forms import OutcomeForm
from tracing_app.calls.models import CallOrder
from tracing_app.calls.outcome_markup import render_outcome, untouched_outcome_html
from tracing_app.scripts import markup, page_context, panel_markup, xlsform
from tracing_app.scripts import operations as scripts
from tracing_app.scripts.definition import REPEAT, SELECT_MULTIPLE, SELECT_ONE
from tracing_app.scripts.engine import evaluate_form, initial_answers
from tracing_app.scripts.models import FormResponse
from tracing_app.tickets.operations import PersonData, create_ticket

HERE = Path(__file__).parent
SEED = HERE.parents[1] / "tracing_app" / "seed" / "scripts"
#: Forms with every kind of question, repeats (nested), choice filters, placeholders.
FORMS = [
    SEED / "outbound_case.csv",
    HERE / "fixtures" / "contact_tracing.csv",
    *(
        HERE / "xlsform_corpus" / name
        for name in (
            "cascading_selects.csv",
            "nested_repeats.csv",
            "household_visit.csv",
            "call_script_notes.csv",
            "read_only.csv",
            "identifier_appearances.csv",
            "appearances.csv",
            "or_other.csv",
            "indexed_repeat.csv",
            "messages.csv",
        )
    ),
]
TODAY = datetime.date(2026, 12, 7)
#: What an agent may type: markup, quotes, and what a hole in kept markup looks like.
TYPED = ["<b>\"Griet\" & 'Jan'</b>", f"{markup.MARK}#0#", "38,5", "12", "2026-01-02", "  "]


def _answer_sets(definition, language, rng):
    """Yield answers: the defaults, nothing, and random answers (repeats expanded)."""
    yield initial_answers(definition, today=TODAY)
    yield {}
    for _round in range(4):
        answers: dict[str, str] = {}
        for _pass in range(2):  # the second pass answers inside the instances just added
            state = evaluate_form(definition, answers, language=language, today=TODAY)
            for slot in state.slots:
                question = slot.question
                if slot.key in answers or rng.random() < 0.2:
                    continue
                if question.type == REPEAT:
                    answers[slot.key] = str(rng.choice([1, 2, 3]))
                elif question.type in (SELECT_ONE, SELECT_MULTIPLE):
                    names = [choice.name for choice in state.options.get(slot.key, [])]
                    picked = rng.sample(names, min(len(names), rng.choice([1, 2])))
                    answers[slot.key] = " ".join(
                        picked if question.type == SELECT_MULTIPLE else picked[:1]
                    )
                elif question.type == "acknowledge":
                    answers[slot.key] = rng.choice(["OK", ""])
                else:
                    answers[slot.key] = rng.choice(TYPED)
        yield answers


@pytest.mark.parametrize("path", FORMS, ids=lambda path: path.stem)
def test_kept_questions_are_the_template_with_the_answers_filled_in(app, path):
    definition = xlsform.load(path.read_bytes(), path.name)
    rng = random.Random(path.stem)  # noqa: S311 - repeatable test data
    compared = 0
    for language in sorted({definition.settings.default_language, "fr", "nl"}):

        def text(texts, language=language):
            return definition.text(texts, language)

        for answers in _answer_sets(definition, language, rng):
            state = evaluate_form(definition, answers, language=language, today=TODAY)
            for include_missing in (False, True):
                errors = state.shown_errors(include_missing=include_missing)
                for page_language in ("en", "de"):
                    with app.test_request_context(f"/{page_language}/"):
                        g.lang_code = page_language
                        direct = markup.render_questions(
                            definition, markup.Shown(state, errors, text), text
                        )
                        for _made_then_kept in range(2):
                            kept = markup.questions_html(
                                7, definition, state, errors, language, text
                            )
                            assert str(kept) == direct
                            compared += 1
    assert compared >= 2 * 6 * 2 * 2 * 2  # languages, answers, errors, pages, twice


def test_what_the_agent_typed_shows_escaped_beside_its_error(app):
    definition = xlsform.load((SEED / "outbound_case.csv").read_bytes(), "outbound_case.csv")
    typed = '<b>"Griet"</b>'
    answers = {"called_name": typed, "consent": "yes", "national_number": "12345"}
    state = evaluate_form(definition, answers, language="en", today=TODAY)
    with app.test_request_context("/en/"):
        g.lang_code = "en"
        html = str(
            markup.questions_html(
                3,
                definition,
                state,
                state.shown_errors(include_missing=False),
                "en",
                lambda texts: definition.text(texts, "en"),
            )
        )
    assert f'value="{escape(typed)}"' in html
    assert typed not in html
    assert f"Hello, am I speaking to {escape(typed)}?" in html  # a note, filled in
    field = html[html.index('id="f-national_number"') :]
    assert 'aria-invalid="true"' in field[: field.index(">")]
    error = html[html.index('id="national_number-error"') :]
    assert " hidden" not in error[: error.index(">")]  # the message is beside the field
    assert state.errors["national_number"] in error[: error.index("</p>")]
    assert 'id="q-refusal_reason" hidden' in html  # not relevant after a yes


def test_the_kept_markup_holds_no_answer(app):
    definition = xlsform.load((SEED / "outbound_case.csv").read_bytes(), "outbound_case.csv")
    answers = {"called_name": "Zeldzaam-Naam", "consent": "yes", "full_name": "Griet Zeldzaam"}
    state = evaluate_form(definition, answers, language="nl", today=TODAY)
    with app.test_request_context("/nl/"):
        g.lang_code = "nl"
        html = markup.questions_html(
            5, definition, state, {}, "nl", lambda texts: definition.text(texts, "nl")
        )
    assert "Zeldzaam" in html
    values = app.extensions[f"kept.{markup.NAME}"]._values.values()
    kept = [value for value in values if isinstance(value, markup.Skeleton)]
    assert kept
    for skeleton in kept:
        assert not any("Zeldzaam" in static for static, _hole in skeleton.pieces)


def test_whatever_the_template_asks_of_the_answers_is_a_hole():
    definition = xlsform.load((SEED / "outbound_case.csv").read_bytes(), "outbound_case.csv")
    state = evaluate_form(definition, {"called_name": "Griet"}, language="en", today=TODAY)
    holes = markup.Holes(state, lambda texts: definition.text(texts, "en"))
    asked = [
        name
        for name in vars(markup.Shown)
        if not name.startswith("_") and callable(getattr(markup.Shown, name))
    ]
    assert {"value", "hidden", "error", "note"} <= set(asked)
    for name in set(asked) - markup.Holes.STRUCTURE - {"label", "hint"}:
        answer = getattr(holes, name)("called_name", "yes")
        assert markup.MARK in answer, name  # a mark, never this state's answer
    with pytest.raises(AttributeError):
        holes.state  # noqa: B018 - the state itself is not offered to the template


@pytest.fixture
def two_scripted_calls(make_campaign):
    """Two due calls of one campaign on the outbound-case script, each with a ticket."""
    version = scripts.upload_version(
        (SEED / "outbound_case.csv").read_bytes(), "outbound_case.csv", actor=None
    )
    scripts.publish(version)
    campaign = make_campaign(
        name="Cases", script_id=version.script_id, calling_start=time(0), calling_end=time(0)
    )
    orders = []
    for first_name, phone in (("Griet", "0470 12 34 56"), ("Jan", "0470 65 43 21")):
        ticket = create_ticket(
            PersonData(first_name=first_name, last_name="Peeters", phone=phone, language="en"),
            actor=None,
            source="test",
        )
        order = operations.enqueue(campaign, due_dt=utcnow() - timedelta(minutes=5))
        order.ticket_id = ticket.id
        orders.append(order)
    db.session.commit()
    return orders


def _rendered():
    """Return the names of the templates rendered, and the receiver that records them."""
    names: list[str] = []

    def record(_sender, template, **_extra):
        names.append(template.name)

    return names, record


@pytest.mark.db
def test_the_desktop_renders_questions_and_outcome_once_and_fills_in_each_call(
    app, client, auth, two_scripted_calls
):
    auth.login_as("agent")
    names, record = _rendered()
    template_rendered.connect(record, app)
    pages = {}
    try:
        for _call in two_scripted_calls:
            claimed = post_form(client, "/en/calls/next", {})
            order_id = int(claimed.location.rsplit("/", 1)[-1])
            assert post_form(client, f"/en/calls/orders/{order_id}/script", {}).status_code == 302
            db.session.expire_all()
            response_id = db.session.get(CallOrder, order_id).ticket.script_response_id
            revision = db.session.get(FormResponse, response_id).revision
            typed = f"Typed for {order_id}"
            saved = post_form(
                client,
                f"/en/calls/orders/{order_id}/script/save",
                {"called_name": typed, "consent": "yes", "_action": "save",
                 "_revision": str(revision)},
            )  # fmt: skip
            assert saved.status_code == 200
            assert f'value="{typed}"' in saved.get_data(as_text=True)
            pages[order_id] = client.get(f"/en/calls/orders/{order_id}").get_data(as_text=True)
            ended = post_form(
                client, f"/en/calls/orders/{order_id}/outcome", {"outcome": "reached"}
            )
            assert ended.status_code == 302
    finally:
        template_rendered.disconnect(record, app)
    # Two calls, two saves and two desktops with the script: made once, filled in each time.
    assert names.count("scripts/_question_list.html") == 1
    assert names.count("calls/_outcome.html") == 1
    assert names.count("scripts/_panel.html") == 1
    first, second = sorted(pages)
    for order_id, other in ((first, second), (second, first)):
        page = pages[order_id]
        assert f'value="Typed for {order_id}"' in page
        assert f"Hello, am I speaking to Typed for {order_id}?" in page
        assert f"Typed for {other}" not in page  # nothing of the other call
        assert f'action="/en/calls/orders/{order_id}/outcome"' in page
        assert f'action="/en/calls/orders/{order_id}/script/save"' in page
        assert f"/calls/orders/{other}/" not in page
        response_id = db.session.get(CallOrder, order_id).ticket.script_response_id
        assert f'data-response-id="{response_id}"' in page


@pytest.mark.db
def test_the_kept_outcome_form_is_the_template_for_each_order(app, two_scripted_calls):
    first, second = two_scripted_calls
    with app.test_request_context("/en/calls/"):
        g.lang_code = "en"
        untouched_outcome_html(first)  # kept, from the first order
        for order in (first, second):
            direct = render_outcome(order, OutcomeForm(formdata=None))
            assert untouched_outcome_html(order) == direct
            assert f'action="/en/calls/orders/{order.id}/outcome"' in direct


@pytest.mark.db
def test_an_outcome_with_errors_keeps_what_the_agent_typed(client, auth, two_scripted_calls):
    auth.login_as("agent")
    claimed = post_form(client, "/en/calls/next", {})
    order_id = int(claimed.location.rsplit("/", 1)[-1])
    refused = post_form(client, f"/en/calls/orders/{order_id}/outcome", {"note": "Rings <twice>"})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "Choose how the call ended." in page
    assert "Rings &lt;twice&gt;</textarea>" in page
    # The next view of the call shows the untouched form again.
    page = client.get(f"/en/calls/orders/{order_id}").get_data(as_text=True)
    assert "Rings" not in page
    assert "Choose how the call ended." not in page


@pytest.mark.db
def test_the_kept_panel_is_the_template_with_each_forms_values(app):
    version = scripts.upload_version(
        (SEED / "outbound_case.csv").read_bytes(), "outbound_case.csv", actor=None
    )
    db.session.commit()
    definition = scripts.definition(version)
    forms = [
        {"response_id": 3, "revision": 0, "progress": "0 of 5", "csrf": "csrf-of-3"},
        {"response_id": 41, "revision": 12, "progress": TYPED[0], "csrf": TYPED[1]},
    ]
    for page_language in ("en", "nl"):
        for language in ("en", "fr"):
            with app.test_request_context(f"/{page_language}/"):
                g.lang_code = page_language
                state = evaluate_form(definition, {}, language=language, today=TODAY)
                context = page_context.questions_context(version, state, language, check=False)
                for form in forms:
                    values = {
                        **form,
                        "panel_action": f"/{page_language}/forms/{form['response_id']}?a=1&b=2",
                        "autosave_url": f"/{page_language}/forms/{form['response_id']}/autosave",
                        "today": "2026-12-07",
                        "questions_html": Markup(f"<p>{form['csrf']}</p>"),  # noqa: S704
                    }
                    direct = panel_markup.render_panel(context, values)
                    assert panel_markup.panel_html(context, values) == direct
                    assert f'data-response-id="{form["response_id"]}"' in direct
    # What one form's panel showed is in no kept panel.
    kept = [
        value
        for value in app.extensions[f"kept.{markup.NAME}"]._values.values()
        if isinstance(value, list)
    ]
    assert len(kept) >= 4  # per call language and page language (and earlier tests')
    for pieces in kept:
        text = "".join(pieces[0::2])
        for shown in ("forms/41", "0 of 5", escape(TYPED[0]), "csrf-of-3"):
            assert shown not in text
