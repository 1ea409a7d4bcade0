"""The attempt page's questions as HTML, rendered once per question, language and order.

The shared partial ``quizzes/_question.html`` costs most of the attempt page (Jinja, and
two translated strings per question). What it shows depends on the question version (never
changed once asked), the page's language, the answers' order, the slot and the learner's
response. Each process keeps it rendered per version, language and order, with a
placeholder for the slot and nothing checked; the learner's response is filled in per
request (``checked``, ``selected``, a text input's value) exactly where the partial puts
it. ``tests/lms/test_question_markup.py`` compares the result with the partial's own for
every question type and response shape.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import g, render_template
from markupsafe import Markup, escape

from content.kept import kept
from content.rendering import render_markdown
from lms.quizzes.attempts.models import Attempt

#: Where the slot goes in kept markup: random per process, so no question text holds it.
SLOT = f"{secrets.token_hex(16)}slot"
CHOICES = ("single_choice", "multiple_choice")


def render_question(
    view: dict[str, Any], slot: int | str, response: Any, *, disabled: bool = False
) -> Markup:
    """Render the shared partial as the attempt page (or, disabled, the result page) does."""
    html = render_template(
        "quizzes/_question.html",
        question=view,
        slot=slot,
        response=response,
        disabled=disabled,
        markdown=render_markdown,
    )
    return Markup(html)  # noqa: S704 - rendered by an autoescaping template


def questions_html(attempt: Attempt, shown: list[Any], *, disabled: bool = False) -> list[Markup]:
    """Return the markup of each question shown, in its order.

    :param shown: ``public_questions(attempt)`` (dicts), or the result page's reviewed
        questions (objects): slot, public view and response each.
    :param disabled: read-only inputs (the result page).
    """
    versions = {question.slot: question.question_version_id for question in attempt.questions}
    markup = kept("question_markup", 4096)
    html = []
    for entry in shown:
        slot, view, response = _fields(entry)
        key = (versions[slot], g.lang_code, _order(view), disabled)
        blank = markup.get_or_make(
            key, lambda view=view: str(render_question(view, SLOT, None, disabled=disabled))
        )
        filled = fill_in(blank, view, slot, response, disabled=disabled)
        html.append(Markup(filled))  # noqa: S704 - the partial's output, response escaped
    return html


def _fields(entry: Any) -> tuple[int, dict[str, Any], Any]:
    if isinstance(entry, dict):
        return entry["slot"], entry["view"], entry["response"]
    return entry.slot, entry.view, entry.response


def _order(view: dict[str, Any]) -> tuple[str, ...]:
    if "options" in view:
        return tuple(option["id"] for option in view["options"])
    return tuple(view.get("targets", ()))


def fill_in(
    blank: str, view: dict[str, Any], slot: int, response: Any, *, disabled: bool = False
) -> str:
    """Put the slot and the learner's response into markup kept with nothing checked.

    Mirrors the partial: an input's ``checked`` comes last before its ``>`` (before
    `` disabled`` when the inputs are read-only), a select option's ``selected`` last
    before its ``>``, a text input's value right after its ``value="``.
    """
    html = blank
    checked = " checked"
    after = len(" disabled") if disabled else 0
    ids = f"question-{SLOT}"
    kind = view["type"]
    if response is None:
        pass
    elif kind in CHOICES:
        chosen = response if isinstance(response, list | dict) else [response]
        for index, option in enumerate(view["options"], start=1):
            if option["id"] in chosen:
                html = _before_close(html, f'id="{ids}-{index}"', checked, after)
    elif kind == "true_false":
        answered = str(response).lower()
        if answered in ("true", "false"):
            html = _before_close(html, f'id="{ids}-{answered}"', checked, after)
    elif kind in ("numeric", "short_text"):
        anchor = f'id="{ids}-answer" value="'
        at = html.index(anchor) + len(anchor)
        html = html[:at] + str(escape(response)) + html[at:]
    elif kind == "matching" and isinstance(response, dict):
        for prompt in view["prompts"]:
            target = response.get(prompt["id"])
            if target is None:
                continue
            start = html.index(f'name="q{SLOT}-{escape(prompt["id"])}"')
            end = html.index("</select>", start)
            at = html.find(f'<option value="{escape(target)}"', start, end)
            if at >= 0:
                close = html.index(">", at)
                html = html[:close] + " selected" + html[close:]
    return html.replace(SLOT, str(slot))


def _before_close(html: str, anchor: str, text: str, after: int = 0) -> str:
    """Insert ``text`` ``after`` characters before the ``>`` ending the tag with ``anchor``."""
    at = html.index(">", html.index(anchor)) - after
    return html[:at] + text + html[at:]
