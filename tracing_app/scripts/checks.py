"""Check a script's logic: expressions, references, texts, choice lists, appearances.

:func:`check_definition` checks what the sheets alone cannot: expressions, the fields
they and the texts refer to, choice lists, labels and identifier appearances. The
import (``xlsform.read``) runs it on every file; an editor can run it on a definition it
changed. This module does not import ``xlsform``: ``xlsform.check_file`` checks a file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from content.i18n import _
from tracing_app.scripts.definition import (
    CALCULATE,
    GROUP,
    IDENTIFIER_APPEARANCES,
    LANGUAGE_NAMES,
    SELECT_TYPES,
    Question,
    ScriptDefinition,
)
from tracing_app.scripts.expressions import ExpressionSyntaxError, parse
from tracing_app.scripts.xlsform_read import CHOICES, SURVEY, Problem, format_problem

__all__ = ["Problem", "check_definition", "format_problem"]

# ``${name}`` in a label, hint or message: replaced by the answer when shown.
_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
# In a choice filter: quoted text, a ${reference}, or a name (maybe a choice column).
_FILTER_WORD = re.compile(r"'[^']*'|\"[^\"]*\"|\$\{[^}]*\}|[^\W\d][\w.-]*(?::[^\W\d][\w.-]*)?")


def check_definition(
    definition: ScriptDefinition, *, known_names: frozenset[str] = frozenset()
) -> list[Problem]:
    """Return the problems of a definition's logic, texts and choice lists.

    :param known_names: more names that references may use (rows an import left out).
    """
    names = {question.name for question in definition.walk()} | known_names
    default = definition.settings.default_language
    problems: list[Problem] = []
    for question, top_level in _walk(definition.questions):
        if _needs_label(question, top_level) and not question.label.get(default):
            message = _(
                "%(name)s needs a label in %(language)s, the default language.",
                name=question.name,
                language=LANGUAGE_NAMES.get(default, default),
            )
            problems.append(Problem(SURVEY, question.row, "label", message))
        if question.type in SELECT_TYPES and question.list_name not in definition.choices:
            message = _("The choice list %(list)s does not exist.", list=question.list_name)
            problems.append(Problem(SURVEY, question.row, "type", message))
        problems += _check_appearance(question)
        problems += _check_expressions(question, names, definition)
        problems += _check_placeholders(question, names)
    for choice_list in definition.choices.values():
        for choice in choice_list.choices:
            if not choice.label.get(default):
                message = _(
                    "The choice %(name)s needs a label in %(language)s, the default language.",
                    name=choice.name,
                    language=LANGUAGE_NAMES.get(default, default),
                )
                problems.append(Problem(CHOICES, choice.row, "label", message))
    return problems


def _walk(
    questions: tuple[Question, ...], top_level: bool = True
) -> Iterator[tuple[Question, bool]]:
    """Yield each question with whether it is at the top level of the form."""
    for question in questions:
        yield question, top_level
        yield from _walk(question.children, top_level=False)


def _needs_label(question: Question, top_level: bool) -> bool:
    """Whether the agent sees the question: all but calculations, metadata, inner plain groups.

    A group inside a section may only gather questions under one ``relevant``.
    """
    if question.type == CALCULATE or question.is_metadata:
        return False
    return question.type != GROUP or top_level


def _check_appearance(question: Question) -> list[Problem]:
    problems = []
    words = [word for word in question.appearances if word in IDENTIFIER_APPEARANCES]
    for word in words:
        base_type = IDENTIFIER_APPEARANCES[word][0]
        if base_type != question.type:
            message = _(
                "The appearance %(appearance)s can only be used with type %(type)s.",
                appearance=word,
                type=base_type,
            )
            problems.append(Problem(SURVEY, question.row, "appearance", message))
    if len(words) > 1:
        message = _(
            "Use one identifier appearance per question, not %(appearances)s.",
            appearances=", ".join(words),
        )
        problems.append(Problem(SURVEY, question.row, "appearance", message))
    return problems


def _check_expressions(
    question: Question, names: set[str], definition: ScriptDefinition
) -> list[Problem]:
    problems = []
    for column, text in question.expressions().items():
        if column == "choice_filter":
            parsed = _parse_choice_filter(text, _choice_columns(definition, question.list_name))
        else:
            parsed = _parse(text)
        if isinstance(parsed, str):
            problems.append(Problem(SURVEY, question.row, column, parsed))
            continue
        for name in sorted(parsed - names):
            problems.append(Problem(SURVEY, question.row, column, _missing_field(name)))
    return problems


def _parse(text: str) -> frozenset[str] | str:
    """Return the fields an expression reads, or the message of its syntax error."""
    try:
        return parse(text).references
    except ExpressionSyntaxError as error:
        return _syntax_error(error.message, error.position)


#: Prefix under which a choice filter reads the choice's own columns (``${__choice__.province}``).
CHOICE_COLUMN_PREFIX = "__choice__."


def rewrite_choice_filter(text: str, columns: frozenset[str]) -> tuple[str, list[int]]:
    """Rewrite the bare choice columns of a filter to ``${__choice__.<column>}``.

    XLSForm names the choices' own columns bare (``province = ${province}``); the
    expression language only knows ``${field}``, and the field may share the column's
    name, so columns get a prefix of their own. Returns the text and, for error
    positions, the offsets in the original text where a rewrite starts.
    """
    rewritten, inserted = [], []
    last = 0
    for match in _FILTER_WORD.finditer(text):
        word = match.group()
        if word in columns and not text[match.end() :].lstrip().startswith("("):
            rewritten.append(f"{text[last : match.start()]}${{{CHOICE_COLUMN_PREFIX}{word}}}")
            inserted.append(match.start())
            last = match.end()
    return "".join(rewritten) + text[last:], inserted


def _parse_choice_filter(text: str, columns: frozenset[str]) -> frozenset[str] | str:
    """Return the fields a choice filter reads, or the message of its syntax error."""
    rewritten, inserted = rewrite_choice_filter(text, columns)
    try:
        references = parse(rewritten).references
    except ExpressionSyntaxError as error:
        # Each rewrite added characters before the error; point into the text as written.
        added = 3 + len(CHOICE_COLUMN_PREFIX)
        position = error.position
        for start in inserted:
            if start + added <= position:
                position -= added
        return _syntax_error(error.message, max(position, 0))
    return frozenset(name for name in references if not name.startswith(CHOICE_COLUMN_PREFIX))


def _choice_columns(definition: ScriptDefinition, list_name: str) -> frozenset[str]:
    """Return the columns a choice filter may name: ``name`` and the list's extra columns."""
    choice_list = definition.choices.get(list_name)
    choices = choice_list.choices if choice_list else ()
    return frozenset({"name"}).union(*(choice.filters for choice in choices))


def _syntax_error(message: str, position: int) -> str:
    return _("%(message)s at position %(position)s", message=message, position=position)


def _check_placeholders(question: Question, names: set[str]) -> list[Problem]:
    problems = []
    for column, texts in question.texts().items():
        for language, text in texts.items():
            for name in sorted(set(_PLACEHOLDER.findall(text)) - names):
                column_name = f"{column}::{language}"
                problems.append(Problem(SURVEY, question.row, column_name, _missing_field(name)))
    return problems


def _missing_field(name: str) -> str:
    return _("${%(name)s} refers to a field that does not exist.", name=name)
