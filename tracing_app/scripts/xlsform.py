"""Import and export call scripts as XLSForm (``.xlsx`` workbooks and ``.csv`` files).

:func:`load` collects every problem of a file before giving up, so the author can fix
them all in one go; nothing is imported while any remains. ``xlsform_read`` reads the
file into sheets of text, this module builds the definition from them, ``checks`` checks
its logic, and ``xlsform_write`` writes it back. See docs/scripts.md, "Writing a script".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath

from content.i18n import _
from tracing_app.scripts.checks import check_definition
from tracing_app.scripts.definition import (
    GROUP,
    GROUP_TYPES,
    IDENTIFIER_TYPES,
    REPEAT,
    SELECT_TYPES,
    SITE_LANGUAGES,
    TYPES,
    Choice,
    ChoiceList,
    Question,
    ScriptDefinition,
    Settings,
    is_valid_name,
)
from tracing_app.scripts.xlsform_read import (
    CHOICES,
    SETTINGS,
    SHEETS,
    SURVEY,
    Column,
    Problem,
    Sheet,
    Source,
    XLSFormError,
    default_language,
    read_columns,
    read_sheets,
    row_values,
)
from tracing_app.scripts.xlsform_write import dump_csv, dump_xlsx

__all__ = ["Problem", "XLSFormError", "dump_csv", "dump_xlsx", "load", "read"]

SURVEY_TEXTS = frozenset({"label", "hint", "required_message", "constraint_message"})
#: Survey columns copied to the question's attribute of the same name.
SURVEY_PLAIN = frozenset({"relevant", "constraint", "calculation", "default", "choice_filter"})
SURVEY_COLUMNS = (
    SURVEY_TEXTS | SURVEY_PLAIN | {"type", "name", "required", "read_only", "appearance"}
)
MEDIA_COLUMNS = frozenset({"image", "big-image", "audio", "video", "media"})
CHOICE_COLUMNS = frozenset({"list_name", "name", "label"}) | MEDIA_COLUMNS
SETTINGS_COLUMNS = frozenset({"form_title", "form_id", "version", "default_language"})

_BEGINS = {
    "begin group": GROUP,
    "begin_group": GROUP,
    "begin repeat": REPEAT,
    "begin_repeat": REPEAT,
}
_ENDS = {"end group": GROUP, "end_group": GROUP, "end repeat": REPEAT, "end_repeat": REPEAT}
_YES = frozenset({"yes", "true", "true()", "1"})
_NO = frozenset({"", "no", "false", "false()", "0"})
_SHEET_ORDER = {name: rank for rank, name in enumerate(("", *SHEETS))}


def load(source: Source, filename: str | None = None) -> ScriptDefinition:
    """Read a form from an ``.xlsx`` or ``.csv`` file.

    :param source: a path, the file's bytes or a binary stream.
    :param filename: decides the format by its extension (defaults to the path's name)
        and gives the form id when the settings have none.
    :raise XLSFormError: with every problem found, when there is any.
    """
    definition, problems = read(source, filename)
    if problems or definition is None:
        raise XLSFormError(problems)
    return definition


def read(
    source: Source, filename: str | None = None
) -> tuple[ScriptDefinition | None, list[Problem]]:
    """Read a form and return it with every problem found, ordered by sheet and row.

    The definition is ``None`` when the survey sheet cannot be read at all.
    """
    if filename is None and not isinstance(source, bytes) and not hasattr(source, "read"):
        filename = PurePath(source).name
    sheets, problems = read_sheets(source, filename)
    definition = None
    if sheets or not problems:
        reader = _FormReader(sheets, filename)
        definition = reader.read()
        problems += reader.problems
        if definition is not None:
            # Rows left out for a problem keep their names: references to them are fine.
            problems += check_definition(definition, known_names=frozenset(reader.names))
    problems.sort(key=lambda problem: (_SHEET_ORDER.get(problem.sheet, 9), problem.row or 0))
    return definition, problems


def flag(text: str) -> bool | str:
    """Return ``required``/``read_only`` as ``True``/``False``, or the expression it holds."""
    if text.strip().lower() in _YES:
        return True
    if text.strip().lower() in _NO:
        return False
    return text.strip()


@dataclass
class _Frame:
    """A group or repeat whose end row is not read yet."""

    fields: dict
    children: list[Question] = field(default_factory=list)

    def build(self) -> Question:
        return Question(**self.fields, children=tuple(self.children))


class _FormReader:
    """Turns the sheets into a definition, noting every problem on the way."""

    def __init__(self, sheets: dict[str, Sheet], filename: str | None) -> None:
        self.sheets = sheets
        self.filename = filename
        self.names: dict[str, int] = {}
        self.default_language, self.problems = default_language(sheets)
        self.languages = {self.default_language}

    def read(self) -> ScriptDefinition | None:
        settings = self._settings()
        questions = self._survey()
        choices = self._choices()
        if questions is None:
            return None
        languages = tuple(code for code in SITE_LANGUAGES if code in self.languages)
        return ScriptDefinition(settings, questions, choices, languages)

    def _problem(self, sheet: str, row: int | None, column: str | None, message: str) -> None:
        self.problems.append(Problem(sheet, row, column, message))

    def _columns(self, sheet: Sheet, known: frozenset[str], texts: frozenset[str]) -> list[Column]:
        columns, problems = read_columns(sheet, known, texts, self.default_language)
        self.problems += problems
        self.languages.update(column.language for column in columns if column.language)
        return columns

    def _settings(self) -> Settings:
        sheet = self.sheets.get(SETTINGS)
        plain: dict[str, str] = {}
        texts: dict[str, dict[str, str]] = {}
        row = None
        if sheet is not None:
            columns = self._columns(sheet, SETTINGS_COLUMNS, frozenset({"form_title"}))
            if sheet.rows:
                row, cells = sheet.rows[0]
                plain, texts = row_values(columns, cells)
        version = plain.get("version", "")
        if not version:
            message = _("The settings sheet needs a version, for example 2024-06-01 or 3.")
            self._problem(SETTINGS, row, "version", message)
        form_id = plain.get("form_id", "") or _form_id(self.filename)
        if not is_valid_name(form_id):
            self._problem(SETTINGS, row, "form_id", _invalid_name(form_id))
        return Settings(form_id, version, self.default_language, texts.get("form_title", {}))

    def _survey(self) -> tuple[Question, ...] | None:
        sheet = self.sheets.get(SURVEY)
        if sheet is None:
            self._problem(SURVEY, None, None, _("The file has no survey sheet."))
            return None
        columns = self._columns(sheet, SURVEY_COLUMNS, SURVEY_TEXTS)
        missing = [name for name in ("type", "name") if name not in {c.base for c in columns}]
        for name in missing:
            message = _("The survey sheet has no %(column)s column.", column=name)
            self._problem(SURVEY, sheet.header_row, name, message)
        if missing:
            return None
        stack = [_Frame({})]
        for number, cells in sheet.rows:
            plain, texts = row_values(columns, cells)
            self._survey_row(number, plain, texts, stack)
        while len(stack) > 1:
            frame = stack.pop()
            message = _(
                "begin %(type)s %(name)s has no end %(type)s.",
                type=frame.fields["type"],
                name=frame.fields["name"],
            )
            self._problem(SURVEY, frame.fields["row"], "type", message)
            stack[-1].children.append(frame.build())
        return tuple(stack[0].children)

    def _survey_row(
        self,
        number: int,
        plain: dict[str, str],
        texts: dict[str, dict[str, str]],
        stack: list[_Frame],
    ) -> None:
        type_text = " ".join(plain.get("type", "").split())
        if not type_text:
            if texts or any(plain.values()):
                self._problem(SURVEY, number, "type", _("This row has no type."))
            return
        if type_text.lower() in _ENDS:
            self._end(number, _ENDS[type_text.lower()], stack)
            return
        name = plain.get("name", "")
        self._check_name(number, name)
        parsed = self._type(number, type_text)
        if parsed is None:
            return
        question_type, list_name, identifier = parsed
        appearance = plain.get("appearance", "")
        if identifier and identifier not in appearance.split():
            appearance = f"{identifier} {appearance}".strip()
        fields = {
            **{column: plain.get(column, "") for column in SURVEY_PLAIN},
            **{column: texts.get(column, {}) for column in SURVEY_TEXTS},
            "type": question_type,
            "name": name,
            "required": flag(plain.get("required", "")),
            "read_only": flag(plain.get("read_only", "")),
            "appearance": appearance,
            "list_name": list_name,
            "row": number,
        }
        if question_type in GROUP_TYPES:
            stack.append(_Frame(fields))
        else:
            stack[-1].children.append(Question(**fields))

    def _type(self, number: int, type_text: str) -> tuple[str, str, str] | None:
        """Return (type, choice list, identifier appearance) of a row, or None if unknown."""
        if type_text.lower() in _BEGINS:
            return _BEGINS[type_text.lower()], "", ""
        words = type_text.split()
        head = words[0].lower()
        if head in SELECT_TYPES:
            if len(words) == 2:
                return head, words[1], ""
            message = _(
                "Write %(type)s followed by the name of its choice list, as in %(type)s yes_no.",
                type=head,
            )
            self._problem(SURVEY, number, "type", message)
            return None
        if len(words) == 1 and head in TYPES - GROUP_TYPES:
            return head, "", ""
        if len(words) == 1 and head in IDENTIFIER_TYPES:
            base_type, appearance = IDENTIFIER_TYPES[head]
            return base_type, "", appearance
        self._problem(SURVEY, number, "type", _("Type %(type)s is not supported.", type=type_text))
        return None

    def _end(self, number: int, group_type: str, stack: list[_Frame]) -> None:
        if len(stack) == 1:
            message = _("This end %(type)s has no begin %(type)s before it.", type=group_type)
            self._problem(SURVEY, number, "type", message)
            return
        frame = stack.pop()
        if frame.fields["type"] != group_type:
            message = _(
                "This end %(type)s closes begin %(open)s %(name)s of row %(row)s.",
                type=group_type,
                open=frame.fields["type"],
                name=frame.fields["name"],
                row=frame.fields["row"],
            )
            self._problem(SURVEY, number, "type", message)
        stack[-1].children.append(frame.build())

    def _check_name(self, number: int, name: str) -> None:
        if not name:
            self._problem(SURVEY, number, "name", _("This row has no name."))
        elif not is_valid_name(name):
            self._problem(SURVEY, number, "name", _invalid_name(name))
        elif name in self.names:
            message = _(
                "The name %(name)s is already used on row %(row)s.", name=name, row=self.names[name]
            )
            self._problem(SURVEY, number, "name", message)
        else:
            self.names[name] = number

    def _choices(self) -> dict[str, ChoiceList]:
        sheet = self.sheets.get(CHOICES)
        if sheet is None:
            return {}
        columns = self._columns(sheet, CHOICE_COLUMNS, frozenset({"label"}))
        missing = [name for name in ("list_name", "name") if name not in {c.base for c in columns}]
        for name in missing:
            message = _("The choices sheet has no %(column)s column.", column=name)
            self._problem(CHOICES, sheet.header_row, name, message)
        if missing:
            return {}
        filter_columns = [
            c.base for c in columns if c.language is None and c.base not in CHOICE_COLUMNS
        ]
        lists: dict[str, dict[str, Choice]] = {}
        for number, cells in sheet.rows:
            plain, texts = row_values(columns, cells)
            choice = Choice(
                plain["name"],
                texts.get("label", {}),
                {column: plain[column] for column in filter_columns if plain[column]},
                number,
            )
            if self._check_choice(plain["list_name"], choice, lists):
                lists.setdefault(plain["list_name"], {})[choice.name] = choice
        return {name: ChoiceList(name, tuple(choices.values())) for name, choices in lists.items()}

    def _check_choice(
        self, list_name: str, choice: Choice, lists: dict[str, dict[str, Choice]]
    ) -> bool:
        """Return whether a choice can join its list, noting the problem when not."""
        if not list_name:
            message = _("This choice has no list_name.")
            self._problem(CHOICES, choice.row, "list_name", message)
        elif not choice.name:
            message = _("This choice of list %(list)s has no name.", list=list_name)
            self._problem(CHOICES, choice.row, "name", message)
        elif any(character.isspace() for character in choice.name):
            # select_multiple answers are stored as choice names separated by spaces.
            message = _("The choice name %(name)s cannot contain spaces.", name=choice.name)
            self._problem(CHOICES, choice.row, "name", message)
        elif choice.name in lists.get(list_name, {}):
            message = _(
                "The choice %(name)s is already in list %(list)s on row %(row)s.",
                name=choice.name,
                list=list_name,
                row=lists[list_name][choice.name].row,
            )
            self._problem(CHOICES, choice.row, "name", message)
        else:
            return True
        return False


def _form_id(filename: str | None) -> str:
    """Return a form id made from the file name, for forms whose settings have none."""
    stem = re.sub(r"[^\w.-]+", "_", PurePath(filename or "script").stem).strip("_")
    return stem if is_valid_name(stem) else f"_{stem}"


def _invalid_name(name: str) -> str:
    return _(
        "%(name)s is not a valid name. A name starts with a letter or an underscore and"
        " holds only letters, digits, underscores, hyphens and full stops.",
        name=name,
    )
