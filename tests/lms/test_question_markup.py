"""The attempt page's kept question markup equals the shared partial's, whatever the answer."""

from __future__ import annotations

import pytest
from flask import g

from lms.quizzes.attempts.markup import SLOT, fill_in, render_question

CHOICE_OPTIONS = [
    {"id": "b2", "text": "Two"},
    {"id": "a1", "text": "One & <one>"},
    {"id": "c3", "text": "3"},
]
VIEWS = {
    "single_choice": {
        "type": "single_choice",
        "text": "Pick *one*.",
        "mark": "1",
        "options": CHOICE_OPTIONS,
    },
    "multiple_choice": {
        "type": "multiple_choice",
        "text": "Pick.",
        "mark": "2",
        "options": CHOICE_OPTIONS,
    },
    "true_false": {"type": "true_false", "text": "True?", "mark": "1"},
    "numeric": {"type": "numeric", "text": "How many?", "mark": "1"},
    "short_text": {"type": "short_text", "text": "Name it.", "mark": "1.5"},
    "matching": {
        "type": "matching",
        "text": "Match.",
        "mark": "3",
        "prompts": [{"id": "p1", "text": "Fever"}, {"id": "p2", "text": "Cough"}],
        "targets": ["Rest & fluids", "Test", '"Isolate"'],
    },
}
RESPONSES = {
    "single_choice": [None, "a1", "c3", "unknown", ["b2"]],
    "multiple_choice": [None, [], ["a1"], ["b2", "c3"], ["a1", "b2", "c3"], "a1"],
    "true_false": [None, True, False, "true", "false", "maybe"],
    "numeric": [None, "", "12,5", 7, 3.25],
    "short_text": [None, "", "isolation", "<script>\"x\" & 'y'</script>"],
    "matching": [
        None,
        {},
        {"p1": "Rest & fluids"},
        {"p1": "Test", "p2": '"Isolate"'},
        {"p2": "not a target"},
        "not a mapping",
    ],
}


@pytest.mark.parametrize(
    ("kind", "response"),
    [(kind, response) for kind, responses in RESPONSES.items() for response in responses],
)
@pytest.mark.parametrize("lang", ["nl", "fr"])
@pytest.mark.parametrize("disabled", [False, True], ids=["attempt", "result"])
def test_kept_markup_with_the_response_filled_in_equals_the_partial(
    app, kind, response, lang, disabled
):
    view = VIEWS[kind]
    with app.test_request_context(f"/{lang}/"):
        g.lang_code = lang
        blank = str(render_question(view, SLOT, None, disabled=disabled))
        filled = fill_in(blank, view, 7, response, disabled=disabled)
        assert filled == str(render_question(view, 7, response, disabled=disabled))
