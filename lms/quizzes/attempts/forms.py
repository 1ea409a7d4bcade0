"""The learner's answers, read from the attempt form.

The attempt form is built from the questions' public views (``quizzes/_question.html``),
so its answers are read by :func:`responses_from_form` rather than by a WTForms class; it
still carries the CSRF token (:class:`lms.quizzes.forms.CsrfForm`; CSRFProtect checks
every POST).
"""

from __future__ import annotations

from typing import Any


def responses_from_form(form, shown: list[dict[str, Any]]) -> dict[int, Any]:
    """Read the attempt form's answers, by slot, in the JSON shape grading expects.

    Field names are ``q<slot>`` (``q<slot>-<prompt id>`` for matching); a question left
    blank gives None. Values are not checked here: grading treats anything it cannot read
    as a wrong answer, never as an error.
    """
    responses: dict[int, Any] = {}
    for question in shown:
        slot, kind = question["slot"], question["view"]["type"]
        name = f"q{slot}"
        if kind == "multiple_choice":
            responses[slot] = [value for value in form.getlist(name) if value] or None
        elif kind == "matching":
            chosen = {
                prompt["id"]: form.get(f"{name}-{prompt['id']}", "")
                for prompt in question["view"]["prompts"]
            }
            responses[slot] = {key: value for key, value in chosen.items() if value} or None
        elif kind == "true_false":
            value = form.get(name)
            responses[slot] = {"true": True, "false": False}.get(value) if value else None
        else:
            value = form.get(name, "")
            responses[slot] = value[:1000] if value.strip() else None
    return responses
