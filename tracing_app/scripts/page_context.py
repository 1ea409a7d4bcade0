"""What a script's form pages show: the template context of its questions and panel.

Used by the form page, the call desktop's script panel and the practice call. The
questions' markup and the offline logic are kept per version and languages
(:mod:`.markup`); the answers are filled in per request.
"""

from __future__ import annotations

import functools

from flask import current_app, g
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from content.i18n import _, language_names, ngettext
from tracing_app.scripts import markup, operations, panel_markup
from tracing_app.scripts.models import FormResponse, ScriptVersion


def texts(definition, language: str):
    """Return the template's ``text(texts)``: the definition's texts in the call's language."""
    return functools.partial(definition.text, language=language)


def script_title(version: ScriptVersion, language: str) -> str:
    """Return a version's title in a language (else its default language, else the form id)."""
    definition = operations.definition(version)
    return definition.text(definition.settings.title, language) or version.script.form_id


def offline_logic(definition, language: str) -> list[dict]:
    """What the browser needs to branch, calculate and check offline (``script-offline.js``).

    Questions outside repeats, in the page's order: their group ancestors, ``relevant``,
    ``constraint`` with its message in the call's language, and calculations. The server
    stays the authority: it checks everything again when the answers reach it.
    """
    default = _("This answer is not allowed.")
    logic: list[dict] = []

    def walk(questions, parents):
        for question in questions:
            if question.type == "repeat":
                continue  # instances and their relative references: the server only
            logic.append(
                {
                    "key": question.name,
                    "type": question.type,
                    "parents": parents,
                    "relevant": question.relevant,
                    "constraint": question.constraint,
                    "message": definition.text(question.constraint_message, language) or default,
                    "calculation": question.calculation if question.type == "calculate" else "",
                }
            )
            if question.is_group:
                walk(question.children, [*parents, question.name])

    walk(definition.questions, [])
    return logic


def logic_json(version: ScriptVersion, definition, language: str) -> Markup:
    """Return `offline_logic` as the page's JSON, made once per version and languages."""
    # The page's language too: the default message is in it.
    key = ("logic", version.id, language, g.lang_code)
    policies = current_app.jinja_env.policies  # as the template's ``|tojson`` dumps
    return markup.kept(
        key,
        lambda: htmlsafe_json_dumps(
            offline_logic(definition, language),
            dumps=policies["json.dumps_function"],
            **policies["json.dumps_kwargs"],
        ),
    )


def questions_context(version: ScriptVersion, state, language: str, *, check: bool) -> dict:
    """Template context of the questions and the panel around them (both form pages)."""
    definition = operations.definition(version)
    errors = state.shown_errors(include_missing=check)
    text = texts(definition, language)
    return {
        "version": version,
        "definition": definition,
        "state": state,
        "errors": errors,
        "language": language,
        "text": text,
        # The site's languages by their own names: the same for every page.
        "languages": markup.kept(("languages",), language_names),
        "questions_html": markup.questions_html(
            version.id, definition, state, errors, language, text
        ),
        "progress": progress_text(*state.section_progress(definition)),
        "logic_json": logic_json(version, definition, language),
        "today": operations.today().isoformat(),
    }


def progress_text(done: int, total: int) -> str:
    """Return "3 of 5 sections complete", in the page's language."""
    return ngettext(
        "%(done)d of %(num)d section complete",
        "%(done)d of %(num)d sections complete",
        total,
        done=done,
    )


def form_context(response: FormResponse, state, *, check: bool, action: str) -> dict:
    """Template context of a form's questions and panel (``panel_html``) posting to ``action``."""
    context = questions_context(response.script_version, state, response.language, check=check)
    values = panel_markup.panel_values(response, context, action)
    return {**context, "response": response, "panel_html": panel_markup.panel_html(context, values)}
