"""The script's questions as HTML, kept per version and language with holes for the answers.

The questions (``scripts/_questions.html``) cost most of the agent's screen: a Jinja macro
call per question and field. Their markup depends on the version (never changed once
published), the call's and the page's languages, the number of repeat instances and the
choices a filter offers; the answers, what is shown, the errors and the filled-in labels
change at every request. Each process keeps the markup rendered once per structure, with a
random mark wherever the template asks :class:`Shown` for something of the answers, and
fills the holes per request with what :class:`Shown` answers for this state (escaped as
Jinja would). The kept markup never holds an answer: the template reads the state only
through ``fill``, and a :class:`Holes` records the question instead of answering it.
``tests/tracing_app/test_script_markup.py`` compares the result with the template
rendered directly for the same states.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import g, render_template
from markupsafe import Markup, escape

from content.kept import kept as kept_values
from tracing_app.scripts.definition import REPEAT, ScriptDefinition
from tracing_app.scripts.engine import FormState, repeat_count

#: Random per process, so that no script text can contain a hole.
MARK = secrets.token_hex(16)
_HOLE = re.compile(rf"{MARK}#(\d+)#")
HIDDEN = Markup(" hidden")
CHECKED = Markup(" checked")
INVALID = Markup(' aria-invalid="true"')
NAME = "script_markup"
SIZE = 256
T = TypeVar("T")


class Shown:
    """What the questions show of a form's state: the template asks ``fill`` for it."""

    def __init__(self, state: FormState, errors: dict[str, str], text: Callable) -> None:
        """Answer for ``state`` with the ``errors`` to show; ``text`` as the template's."""
        self.state = state
        self.errors = errors
        self.text = text

    def hidden(self, key: str) -> Markup | str:
        """`` hidden`` on the wrapper of a question that is not relevant now."""
        return "" if self.state.visible.get(key, False) else HIDDEN

    def value(self, key: str) -> str:
        """The answer typed (an input's value, a textarea's text)."""
        return self.state.values.get(key, "")

    def chosen(self, key: str, choice: str) -> Markup | str:
        """`` checked`` on a choice the answer holds (space-separated, as ODK stores them)."""
        return CHECKED if choice in self.state.values.get(key, "").split() else ""

    def acknowledged(self, key: str) -> Markup | str:
        """`` checked`` on an acknowledge question answered OK."""
        return CHECKED if self.state.values.get(key, "") == "OK" else ""

    def invalid(self, key: str) -> Markup | str:
        """``aria-invalid`` on a field whose error is shown."""
        return INVALID if key in self.errors else ""

    def error(self, key: str) -> str:
        """The error shown beside a field (empty when none)."""
        return self.errors.get(key, "")

    def error_hidden(self, key: str) -> Markup | str:
        """`` hidden`` on the place of an error when there is none."""
        return "" if key in self.errors else HIDDEN

    def label(self, key: str, texts: dict[str, str]) -> str:
        """A label, with its ``${field}`` placeholders filled in when it has some."""
        return self.state.labels.get(key) or self.text(texts)

    def hint(self, key: str, texts: dict[str, str]) -> str:
        """A hint, with its ``${field}`` placeholders filled in when it has some."""
        return self.state.hints.get(key) or self.text(texts)

    def note(self, key: str) -> str:
        """What a note says the agent says, placeholders filled in."""
        return self.state.notes.get(key, "")

    def options(self, key: str) -> list:
        """The choices offered (a choice filter may keep some only)."""
        return self.state.options.get(key, [])

    def repeat_count(self, key: str) -> int:
        """How many instances of a repeat the page shows."""
        return repeat_count(self.state.values, key)


class Holes:
    """Answers the template with a mark per question about the answers, and records them.

    Every question :class:`Shown` answers becomes a hole, but the structure (the options
    offered, the repeat instances: part of the kept markup's key) and labels and hints
    without ``${field}`` (the same for everyone). Not a subclass of :class:`Shown` on
    purpose: a method added there is a hole here, never an answer kept for everyone.
    """

    #: What the kept markup's key already holds: answered from the state.
    STRUCTURE = frozenset({"options", "repeat_count"})

    def __init__(self, state: FormState, text: Callable) -> None:
        """Record the holes of the markup for ``state``'s structure."""
        self._shown = Shown(state, {}, text)
        self.text = text
        self.holes: list[tuple[str, tuple]] = []

    def __getattr__(self, name: str) -> Callable:
        """Return ``Shown``'s method ``name``: real for structure, else recording a hole."""
        if name.startswith("_") or not callable(getattr(Shown, name, None)):
            raise AttributeError(name)
        if name in self.STRUCTURE:
            return getattr(self._shown, name)
        return lambda *args: self._hole(name, *args)

    def _hole(self, name: str, *args) -> Markup:
        self.holes.append((name, args))
        return Markup(f"{MARK}#{len(self.holes) - 1}#")  # noqa: S704 - hex digits and '#'

    def label(self, key: str, texts: dict[str, str]) -> Markup | str:
        """A hole for a label with ``${field}`` placeholders, else the label."""
        text = self.text(texts)
        return self._hole("label", key, texts) if "${" in text else text

    def hint(self, key: str, texts: dict[str, str]) -> Markup | str:
        """A hole for a hint with ``${field}`` placeholders, else the hint."""
        text = self.text(texts)
        return self._hole("hint", key, texts) if "${" in text else text


class Skeleton:
    """Kept markup: static text between holes, each hole a question to :class:`Shown`."""

    def __init__(self, html: str, holes: list[tuple[str, tuple]]) -> None:
        """Split ``html`` at the marks :class:`Holes` left in it."""
        parts = _HOLE.split(html)
        self.pieces = [
            (parts[at], holes[int(parts[at + 1])] if at + 1 < len(parts) else None)
            for at in range(0, len(parts), 2)
        ]

    def fill(self, shown: Shown) -> Markup:
        """Return the markup with every hole filled in for this state (escaped)."""
        out = []
        append = out.append
        for static, hole in self.pieces:
            append(static)
            if hole is not None:
                name, args = hole
                value = getattr(shown, name)(*args)
                # Most holes answer "" or a Markup constant (`` hidden``): nothing to escape.
                append(value if value == "" or type(value) is Markup else escape(value))
        return Markup("".join(out))  # noqa: S704 - the template's output, answers escaped


def render_questions(definition: ScriptDefinition, fill: Shown, text: Callable) -> str:
    """Render the questions as the template does, asking ``fill`` about the answers."""
    return render_template(
        "scripts/_question_list.html", definition=definition, fill=fill, text=text
    )


def questions_html(
    version_id: int,
    definition: ScriptDefinition,
    state: FormState,
    errors: dict[str, str],
    language: str,
    text: Callable,
) -> Markup:
    """Return the questions' markup for this state: kept markup, filled in.

    :param errors: the errors to show (``state.shown_errors(…)``).
    :param language: the call's language (``text`` gives the definition's texts in it).
    """
    structure = (
        tuple(
            (slot.key, repeat_count(state.values, slot.key))
            for slot in state.slots
            if slot.question.type == REPEAT
        ),
        tuple(
            (slot.key, tuple(choice.name for choice in state.options.get(slot.key, ())))
            for slot in state.slots
            if slot.question.choice_filter
        ),
    )
    # The page's language too: the template says "Add another" and "Say:" in it.
    key = ("questions", version_id, language, g.lang_code, structure)

    def make() -> Skeleton:
        holes = Holes(state, text)
        return Skeleton(render_questions(definition, holes, text), holes.holes)

    return kept(key, make).fill(Shown(state, errors, text))


def kept(key: Hashable, make: Callable[[], T]) -> T:
    """Return the value kept under ``key`` in this process, making it if needed.

    Only for what a published version (never changed) and the languages determine.
    """
    return kept_values(NAME, SIZE).get_or_make(key, make)
