"""Build a definition from the sheets of an XLSForm, noting every problem on the way.

``xlsform.read`` gives this module the sheets ``xlsform_read`` read; `FormBuilder` reads
the settings, the survey rows (types through ``xlsform_types``) and the choices as
pyxform does, with the differences docs/scripts.md lists.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import PurePath

from content.i18n import _
from tracing_app.scripts.definition import (
    GROUP_TYPES,
    IGNORED_METADATA,
    SITE_LANGUAGES,
    TEXT,
    Choice,
    ChoiceList,
    Question,
    ScriptDefinition,
    Settings,
    is_valid_name,
)
from tracing_app.scripts.xlsform_read import (
    CHOICES,
    NOTE,
    SETTINGS,
    SURVEY,
    Column,
    Problem,
    Sheet,
    default_language,
    read_columns,
    row_values,
)
from tracing_app.scripts.xlsform_types import ENDS, OR_OTHER, RowType, parse_type

SURVEY_TEXTS = frozenset({"label", "hint", "required_message", "constraint_message"})
#: Survey columns copied to the question's attribute of the same name.
SURVEY_PLAIN = frozenset({"relevant", "constraint", "calculation", "default", "choice_filter"})
SURVEY_COLUMNS = (
    SURVEY_TEXTS | SURVEY_PLAIN | {"type", "name", "required", "read_only", "appearance"}
)
MEDIA_COLUMNS = frozenset({"image", "big-image", "audio", "video", "media"})
CHOICE_COLUMNS = frozenset({"list_name", "name", "label"}) | MEDIA_COLUMNS
SETTINGS_COLUMNS = frozenset(
    {"form_title", "form_id", "version", "default_language", "allow_choice_duplicates"}
)
#: pyxform's columns for a fixed number of repeat instances: read, then ignored with a note.
REPEAT_COUNT_COLUMNS = frozenset({"repeat_count", "jr:count", "count"})
#: What pyxform adds for ``select_one list or_other``: a choice, and a text question for it.
OTHER_CHOICE = "other"
OTHER_LABELS = {"nl": "Andere", "fr": "Autre", "de": "Andere", "en": "Other"}
SPECIFY_OTHER_LABELS = {
    "nl": "Specificeer andere.",
    "fr": "Précisez autre.",
    "de": "Andere angeben.",
    "en": "Specify other.",
}
_YES = frozenset({"yes", "true", "true()", "1"})
_NO = frozenset({"", "no", "false", "false()", "0"})


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


class FormBuilder:
    """Turns the sheets into a definition, noting every problem on the way."""

    def __init__(self, sheets: dict[str, Sheet], filename: str | None) -> None:
        self.sheets = sheets
        self.filename = filename
        self.names: dict[str, int] = {}
        self.default_language, self.problems = default_language(sheets)
        self.languages = {self.default_language}
        self.allow_choice_duplicates = False
        self.or_other_lists: dict[str, int] = {}  # list name -> first row using it

    def read(self) -> ScriptDefinition | None:
        """Return the definition, or None when the survey sheet cannot be read at all."""
        settings = self._settings()
        questions = self._survey()
        choices = self._choices()
        if questions is None:
            return None
        languages = tuple(code for code in SITE_LANGUAGES if code in self.languages)
        return ScriptDefinition(settings, questions, choices, languages)

    def _problem(self, sheet: str, row: int | None, column: str | None, message: str) -> None:
        self.problems.append(Problem(sheet, row, column, message))

    def _note(self, sheet: str, row: int | None, column: str | None, message: str) -> None:
        self.problems.append(Problem(sheet, row, column, message, NOTE))

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
            # pyxform leaves it out and ODK Central makes one up; ours is repeatable.
            version = _content_version(self.sheets)
            message = _(
                "The form has no version; it gets version %(version)s, made from its content.",
                version=version,
            )
            self._note(SETTINGS, row, "version", message)
        form_id = plain.get("form_id", "") or _form_id(self.filename)
        if not is_valid_name(form_id):
            self._problem(SETTINGS, row, "form_id", _invalid_name(form_id))
        duplicates = plain.get("allow_choice_duplicates", "")
        self.allow_choice_duplicates = flag(duplicates) is True
        return Settings(
            form_id,
            version,
            self.default_language,
            texts.get("form_title", {}),
            allow_choice_duplicates=self.allow_choice_duplicates,
        )

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
        for column in columns:
            if column.base.lower() in REPEAT_COUNT_COLUMNS:
                message = _(
                    "Column %(column)s is not used: the agent adds repeat instances as the call"
                    " goes.",
                    column=column.header,
                )
                self._note(SURVEY, sheet.header_row, column.header, message)
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
        if type_text.lower() in ENDS:
            self._end(number, ENDS[type_text.lower()], stack)
            return
        name = plain.get("name", "")
        self._check_name(number, name)
        parsed = parse_type(type_text)
        if isinstance(parsed, str):
            self._problem(SURVEY, number, "type", parsed)
            return
        question_type, list_name = parsed.type, parsed.list_name
        appearance = plain.get("appearance", "")
        if parsed.appearance and parsed.appearance not in appearance.split():
            appearance = f"{parsed.appearance} {appearance}".strip()
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
            return
        stack[-1].children.append(Question(**fields))
        if question_type in IGNORED_METADATA:
            message = _(
                "%(type)s is metadata of a phone or tablet; a call has none, so %(name)s"
                " stays empty.",
                type=question_type,
                name=name,
            )
            self._note(SURVEY, number, "type", message)
        if parsed.or_other:
            stack[-1].children.append(self._specify_other(number, name, parsed))

    def _specify_other(self, number: int, name: str, parsed: RowType) -> Question:
        """Return the text question pyxform adds after ``select_one list or_other``."""
        other_name = f"{name}_{OTHER_CHOICE}"
        self._check_name(number, other_name)
        self.or_other_lists.setdefault(parsed.list_name, number)
        message = _(
            "%(or_other)s: the choice %(choice)s was added to list %(list)s, and the question"
            " %(name)s after this one; the export writes them out.",
            or_other=OR_OTHER,
            choice=OTHER_CHOICE,
            list=parsed.list_name,
            name=other_name,
        )
        self._note(SURVEY, number, "type", message)
        return Question(
            TEXT,
            other_name,
            label=_texts(SPECIFY_OTHER_LABELS, self.languages),
            relevant=f"selected(${{{name}}}, '{OTHER_CHOICE}')",
            row=number,
        )

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
        if sheet is None or not sheet.rows:
            # An empty choices sheet (maybe just its header) is what tools write by default.
            return self._add_other({})
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
        lists: dict[str, list[Choice]] = {}
        for number, cells in sheet.rows:
            plain, texts = row_values(columns, cells)
            choice = Choice(
                plain["name"],
                texts.get("label", {}),
                {column: plain[column] for column in filter_columns if plain[column]},
                number,
            )
            if self._check_choice(plain["list_name"], choice, lists):
                lists.setdefault(plain["list_name"], []).append(choice)
        return self._add_other(lists)

    def _add_other(self, lists: dict[str, list[Choice]]) -> dict[str, ChoiceList]:
        """Return the choice lists, with ``other`` last in each list an or_other select uses."""
        for list_name in self.or_other_lists:
            if list_name in lists and all(c.name != OTHER_CHOICE for c in lists[list_name]):
                label = _texts(OTHER_LABELS, self.languages)
                lists[list_name].append(Choice(OTHER_CHOICE, label))
        return {name: ChoiceList(name, tuple(choices)) for name, choices in lists.items()}

    def _check_choice(self, list_name: str, choice: Choice, lists: dict[str, list[Choice]]) -> bool:
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
        elif not self.allow_choice_duplicates and (
            twin := next((c for c in lists.get(list_name, ()) if c.name == choice.name), None)
        ):
            message = _(
                "The choice %(name)s is already in list %(list)s on row %(row)s.",
                name=choice.name,
                list=list_name,
                row=twin.row,
            )
            self._problem(CHOICES, choice.row, "name", message)
        else:
            return True
        return False


def _texts(texts: dict[str, str], languages: set[str]) -> dict[str, str]:
    """Return the texts in the form's site languages."""
    return {code: texts[code] for code in SITE_LANGUAGES if code in languages}


def _content_version(sheets: dict[str, Sheet]) -> str:
    """Return a version made from the sheets' content: the same form, the same version."""
    content = {
        name: [_trimmed(cells) for cells in (sheet.header, *(cells for _n, cells in sheet.rows))]
        for name, sheet in sorted(sheets.items())
    }
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
    return f"content-{digest[:12]}"


def _trimmed(cells: list[str]) -> list[str]:
    """Return a row without its empty cells at the end (a workbook and a CSV file differ)."""
    while cells and not cells[-1]:
        cells = cells[:-1]
    return cells


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
