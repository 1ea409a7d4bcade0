"""The script panel around the questions, rendered once per version and languages.

The panel (``scripts/_panel.html``: the language switch, the save and complete buttons,
the offline logic, a dozen translated strings) is the same for every form of a script
version in a call language and page language, but for a few values: where it posts, the
form's autosave URL, id and revision, the progress line, today's date, the CSRF token
and the questions' markup (:mod:`.markup`). Each process keeps the panel per version and
languages with a random mark at each of those places (``content.holes``), filled in
(escaped as Jinja would) for every request; nothing of a form or an agent is kept.
"""

from __future__ import annotations

from flask import g, render_template, request, url_for
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from content import holes
from tracing_app.scripts import markup
from tracing_app.scripts.models import FormResponse

TEMPLATE = "scripts/_panel.html"
#: Random per process, so that no script text can contain a hole.
_MARKS = holes.Marks()
#: What differs per form and request: the panel's holes.
HOLES = ("panel_action", "autosave_url", "response_id", "revision", "progress", "today")
HOLES += ("csrf", "questions_html")


def panel_values(response: FormResponse, context: dict, action: str) -> dict:
    """Return the values of the panel's holes for ``response`` (``context``: the questions')."""
    return {
        "panel_action": action,
        "autosave_url": url_for("scripts.autosave_form", response_id=response.id),
        "response_id": response.id,
        "revision": response.revision,
        "progress": context["progress"],
        "today": context["today"],
        "csrf": generate_csrf(),
        "questions_html": context["questions_html"],
    }


#: What the panel reads of the questions' context: what its key determines.
KEYED = ("version", "language", "languages", "logic_json")


def render_panel(context: dict, values: dict) -> Markup:
    """Render the panel directly with ``values`` in its holes (the reference)."""
    keyed = {name: context[name] for name in KEYED}
    return Markup(render_template(TEMPLATE, **keyed, **values))  # noqa: S704


def panel_html(context: dict, values: dict) -> Markup:
    """Return the panel for ``values``: the kept markup of its version and languages, filled.

    :param context: the questions' template context (``page_context.questions_context``).
    """
    version = context["version"]
    key = ("panel", version.id, context["language"], g.lang_code, str(get_locale()))
    key += (request.script_root,)
    return holes.fill(markup.kept(key, lambda: _pieces(context)), values)


def _pieces(context: dict) -> list[str]:
    """Render the panel with a mark in each hole; return text and hole names alternating."""
    return _MARKS.split(render_panel(context, {name: _MARKS.hole(name) for name in HOLES}))
