"""A call script as data: settings, a tree of questions and the choice lists.

The model follows XLSForm (https://xlsform.org) so a script can be written in a
spreadsheet and read back; ``xlsform.py`` converts both ways. Every object is frozen:
a definition is replaced, never edited in place. Translated texts are dicts from a
site language code to the text, holding only the languages that have one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from babel import Locale

from tracing_app import identifiers

#: The site's languages, in display order; columns in other languages are dropped.
SITE_LANGUAGES = ("nl", "fr", "de", "en")

#: Each site language in its own language, as written in column headers.
LANGUAGE_NAMES = {"nl": "Nederlands", "fr": "Français", "de": "Deutsch", "en": "English"}

_CODE_IN_PARENTHESES = re.compile(r"\(\s*([A-Za-z]{2,3})(?:[-_]\w+)?\s*\)\s*$")
_CODE = re.compile(r"([A-Za-z]{2,3})(?:[-_]\w+)?")
_LANGUAGE_BY_NAME = {
    Locale.parse(code).get_display_name(locale).lower(): code
    for code in SITE_LANGUAGES
    for locale in SITE_LANGUAGES
}
_ANY_LANGUAGE_BY_NAME = {
    name.lower(): code for code, name in Locale("en").languages.items() if len(code) == 2
}
# XML names without a colon: what XLSForm allows as a field name.
_NAME = re.compile(r"[^\W\d][\w.-]*")

NOTE = "note"
TEXT = "text"
INTEGER = "integer"
DECIMAL = "decimal"
DATE = "date"
TIME = "time"
DATETIME = "datetime"
SELECT_ONE = "select_one"
SELECT_MULTIPLE = "select_multiple"
ACKNOWLEDGE = "acknowledge"
CALCULATE = "calculate"
GROUP = "group"
REPEAT = "repeat"

#: ODK metadata the platform fills in: start and end of the call, the agent, the date.
START = "start"
END = "end"
TODAY = "today"
USERNAME = "username"
KNOWN_METADATA = frozenset({START, END, TODAY, USERNAME})
#: ODK metadata about the phone or tablet that a call centre does not have: kept so
#: the form reads and writes back as it was, always empty.
IGNORED_METADATA = frozenset(
    {
        "deviceid",
        "subscriberid",
        "simserial",
        "phonenumber",
        "audit",
        "start-geopoint",
        "background-audio",
        "background-geopoint",
    }
)
METADATA_TYPES = KNOWN_METADATA | IGNORED_METADATA

#: Types the agent answers.
INPUT_TYPES = frozenset(
    {TEXT, INTEGER, DECIMAL, DATE, TIME, DATETIME, SELECT_ONE, SELECT_MULTIPLE, ACKNOWLEDGE}
)
SELECT_TYPES = frozenset({SELECT_ONE, SELECT_MULTIPLE})
GROUP_TYPES = frozenset({GROUP, REPEAT})
TYPES = INPUT_TYPES | GROUP_TYPES | METADATA_TYPES | {NOTE, CALCULATE}

#: Appearance that marks an identifier → (the type it applies to, the identifier kind).
IDENTIFIER_APPEARANCES = {
    "national-number": (TEXT, identifiers.NATIONAL_NUMBER),
    "phone": (TEXT, identifiers.PHONE),
    "email": (TEXT, identifiers.EMAIL),
    "postcode": (TEXT, identifiers.POSTCODE),
    "birth-date": (DATE, identifiers.BIRTH_DATE),
}

#: Project type names, shorthand for a type with an identifier appearance.
IDENTIFIER_TYPES = {
    kind: (base_type, appearance)
    for appearance, (base_type, kind) in IDENTIFIER_APPEARANCES.items()
}

# A default is an expression when it reads a field or starts with a function call
# (``today()``); anything else is a literal answer.
_EXPRESSION_DEFAULT = re.compile(r"\$\{|^\s*[\w:-]+\s*\(")


@dataclass(frozen=True)
class Settings:
    """The form as a whole: identity, version and languages."""

    form_id: str
    version: str
    default_language: str
    title: dict[str, str] = field(default_factory=dict)
    #: XLSForm's ``allow_choice_duplicates``: a list may hold one choice name twice.
    allow_choice_duplicates: bool = False


@dataclass(frozen=True)
class Question:
    """One row of the survey sheet; a group or repeat holds its rows in ``children``.

    ``required`` and ``read_only`` are ``True``/``False`` or an expression; the other
    logic columns hold expression text, ``""`` when empty. ``row`` is where the question
    was read (0 when built in code); it is left out of comparisons.
    """

    type: str
    name: str
    label: dict[str, str] = field(default_factory=dict)
    hint: dict[str, str] = field(default_factory=dict)
    required: bool | str = False
    required_message: dict[str, str] = field(default_factory=dict)
    relevant: str = ""
    constraint: str = ""
    constraint_message: dict[str, str] = field(default_factory=dict)
    calculation: str = ""
    default: str = ""
    read_only: bool | str = False
    appearance: str = ""
    choice_filter: str = ""
    list_name: str = ""
    children: tuple[Question, ...] = ()
    row: int = field(default=0, compare=False)

    @property
    def is_group(self) -> bool:
        """Whether this is a group or a repeat."""
        return self.type in GROUP_TYPES

    @property
    def is_input(self) -> bool:
        """Whether the agent answers this question."""
        return self.type in INPUT_TYPES

    @property
    def is_metadata(self) -> bool:
        """Whether this is ODK metadata (``start``, ``username``…): filled in, never shown."""
        return self.type in METADATA_TYPES

    @property
    def appearances(self) -> tuple[str, ...]:
        """The space-separated words of ``appearance``."""
        return tuple(self.appearance.split())

    @property
    def validation(self) -> str | None:
        """The :mod:`identifiers` kind answers are checked with, if any.

        An identifier appearance decides; a plain ``date`` is checked as a date.
        """
        for word in self.appearances:
            base_type, kind = IDENTIFIER_APPEARANCES.get(word, (None, None))
            if base_type == self.type:
                return kind
        return identifiers.DATE if self.type == DATE else None

    @property
    def default_is_expression(self) -> bool:
        """Whether ``default`` is computed (``today()``, ``${other}``) or a literal answer."""
        return bool(_EXPRESSION_DEFAULT.search(self.default))

    def expressions(self) -> dict[str, str]:
        """Return the non-empty expressions of this question by column name."""
        columns = {
            "relevant": self.relevant,
            "constraint": self.constraint,
            "calculation": self.calculation,
            "choice_filter": self.choice_filter,
            "required": self.required if isinstance(self.required, str) else "",
            "read_only": self.read_only if isinstance(self.read_only, str) else "",
            "default": self.default if self.default_is_expression else "",
        }
        return {column: text for column, text in columns.items() if text}

    def texts(self) -> dict[str, dict[str, str]]:
        """Return the translated texts of this question by column name."""
        return {
            "label": self.label,
            "hint": self.hint,
            "required_message": self.required_message,
            "constraint_message": self.constraint_message,
        }


@dataclass(frozen=True)
class Choice:
    """One option of a choice list; ``filters`` holds the extra columns ``choice_filter`` reads."""

    name: str
    label: dict[str, str] = field(default_factory=dict)
    filters: dict[str, str] = field(default_factory=dict)
    row: int = field(default=0, compare=False)


@dataclass(frozen=True)
class ChoiceList:
    """The options of a select, in order."""

    name: str
    choices: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class ScriptDefinition:
    """A whole script: settings, top-level questions, choice lists and its languages."""

    settings: Settings
    questions: tuple[Question, ...]
    choices: dict[str, ChoiceList] = field(default_factory=dict)
    languages: tuple[str, ...] = ()

    def text(self, texts: dict[str, str], language: str) -> str:
        """Return a translated text in ``language``, else the default language, else any."""
        return (
            texts.get(language)
            or texts.get(self.settings.default_language)
            or next(iter(texts.values()), "")
        )

    def walk(self) -> Iterator[Question]:
        """Yield every question, groups before their children, in form order."""
        yield from _walk(self.questions)

    def by_name(self, name: str) -> Question:
        """Return the question with this name.

        :raise KeyError: when there is none.
        """
        return self._index[name][0]

    def parents(self, name: str) -> tuple[Question, ...]:
        """Return the groups and repeats around a question, outermost first."""
        return self._index[name][1]

    def sections(self) -> tuple[Question, ...]:
        """Return the top-level groups and repeats: the sections the agent goes through."""
        return tuple(question for question in self.questions if question.is_group)

    @cached_property
    def derived(self) -> dict:
        """What code derives from this definition alone, kept with it (it never changes)."""
        return {}

    @cached_property
    def _index(self) -> dict[str, tuple[Question, tuple[Question, ...]]]:
        index: dict[str, tuple[Question, tuple[Question, ...]]] = {}

        def visit(questions: tuple[Question, ...], parents: tuple[Question, ...]) -> None:
            for question in questions:
                index.setdefault(question.name, (question, parents))
                visit(question.children, (*parents, question))

        visit(self.questions, ())
        return index


def _walk(questions: tuple[Question, ...]) -> Iterator[Question]:
    for question in questions:
        yield question
        yield from _walk(question.children)


def parse_language(text: str) -> str | None:
    """Return the code of a language written ``Nederlands (nl)``, ``nl``, ``nl-BE`` or ``Dutch``.

    Names are known in the site languages for the site languages, and in English for all
    (``Swahili``, as ODK forms write them); any code is returned, so the caller
    decides what to do with languages the site does not have.
    """
    text = text.strip()
    match = _CODE_IN_PARENTHESES.search(text) or _CODE.fullmatch(text)
    if match:
        return match.group(1).lower()
    return _LANGUAGE_BY_NAME.get(text.lower()) or _ANY_LANGUAGE_BY_NAME.get(text.lower())


def language_header(column: str, code: str) -> str:
    """Return the header of a translated column, XLSForm style: ``label::Nederlands (nl)``."""
    return f"{column}::{LANGUAGE_NAMES.get(code, code)} ({code})"


def is_valid_name(name: str) -> bool:
    """Whether ``name`` can name a question, choice list or form (an XML name, no colon)."""
    return bool(_NAME.fullmatch(name))
