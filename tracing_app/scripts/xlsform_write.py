"""Write a definition back as XLSForm: an ``.xlsx`` workbook or one sectioned ``.csv`` file.

What is written reads back as the same definition. Columns nobody uses are left out;
every language of the form gets a label column, headers name the language XLSForm
style (``label::Nederlands (nl)``) and groups are written ``begin group``/``end group``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator

import openpyxl
from openpyxl.styles import Font

from tracing_app.scripts.definition import (
    GROUP_TYPES,
    LANGUAGE_NAMES,
    SELECT_TYPES,
    Question,
    ScriptDefinition,
    language_header,
)

Table = list[list[str]]

# Survey columns in the order they are written; True marks a translated one.
_SURVEY_COLUMNS = (
    ("label", True),
    ("hint", True),
    ("required", False),
    ("required_message", True),
    ("relevant", False),
    ("constraint", False),
    ("constraint_message", True),
    ("calculation", False),
    ("default", False),
    ("read_only", False),
    ("appearance", False),
    ("choice_filter", False),
)


def dump_xlsx(definition: ScriptDefinition) -> bytes:
    """Return the definition as an ``.xlsx`` workbook with survey, choices and settings sheets."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, table in tables(definition).items():
        worksheet = workbook.create_sheet(name)
        for row_number, row in enumerate(table, 1):
            for column_number, value in enumerate(row, 1):
                if value:
                    cell = worksheet.cell(row_number, column_number, value)
                    # openpyxl takes text starting with "=" for a formula; it is text here.
                    cell.data_type = "s"
        for cell in worksheet[1]:
            cell.font = Font(bold=True)
        worksheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def dump_csv(definition: ScriptDefinition) -> bytes:
    """Return the definition as one CSV file: each sheet's name, then its header and rows.

    The file starts with a byte order mark so that Excel reads it as UTF-8.
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    for name, table in tables(definition).items():
        writer.writerow([name])
        writer.writerows(["", *row] for row in table)
    return buffer.getvalue().encode("utf-8-sig")


def tables(definition: ScriptDefinition) -> dict[str, Table]:
    """Return the survey, choices and settings sheets as rows of text, headers first."""
    return {
        "survey": _survey(definition),
        "choices": _choices(definition),
        "settings": _settings(definition),
    }


def _survey(definition: ScriptDefinition) -> Table:
    questions = list(definition.walk())
    columns: list[tuple[str, Callable[[Question], str]]] = [
        ("type", _type_cell),
        ("name", lambda question: question.name),
    ]
    for attribute, translated in _SURVEY_COLUMNS:
        if not translated:
            if any(_cell(question, attribute) for question in questions):
                columns.append((attribute, lambda question, a=attribute: _cell(question, a)))
            continue
        for code in definition.languages:
            if attribute == "label" or any(code in getattr(q, attribute) for q in questions):
                columns.append(
                    (
                        language_header(attribute, code),
                        lambda question, a=attribute, c=code: getattr(question, a).get(c, ""),
                    )
                )
    table = [[header for header, _cell_of in columns]]
    for question, is_end in _rows(definition.questions):
        if is_end:
            table.append([f"end {question.type}"] + [""] * (len(columns) - 1))
        else:
            table.append([cell_of(question) for _header, cell_of in columns])
    return table


def _rows(questions: tuple[Question, ...]) -> Iterator[tuple[Question, bool]]:
    """Yield each question, and each group again for its end row (marked True)."""
    for question in questions:
        yield question, False
        if question.type in GROUP_TYPES:
            yield from _rows(question.children)
            yield question, True


def _type_cell(question: Question) -> str:
    if question.type in GROUP_TYPES:
        return f"begin {question.type}"
    if question.type in SELECT_TYPES:
        return f"{question.type} {question.list_name}"
    return question.type


def _cell(question: Question, attribute: str) -> str:
    value = getattr(question, attribute)
    if isinstance(value, bool):
        return "yes" if value else ""
    return value


def _choices(definition: ScriptDefinition) -> Table:
    choices = [
        (choice_list.name, choice)
        for choice_list in definition.choices.values()
        for choice in choice_list.choices
    ]
    filters = list(dict.fromkeys(column for _list, choice in choices for column in choice.filters))
    header = ["list_name", "name"]
    header += [language_header("label", code) for code in definition.languages]
    table = [header + filters]
    for list_name, choice in choices:
        labels = [choice.label.get(code, "") for code in definition.languages]
        table.append(
            [list_name, choice.name, *labels, *(choice.filters.get(f, "") for f in filters)]
        )
    return table


def _settings(definition: ScriptDefinition) -> Table:
    settings = definition.settings
    titled = [code for code in definition.languages if code in settings.title]
    language = settings.default_language
    header = [language_header("form_title", code) for code in titled]
    row = [settings.title[code] for code in titled]
    header += ["form_id", "version", "default_language"]
    row += [settings.form_id, settings.version, f"{LANGUAGE_NAMES[language]} ({language})"]
    if settings.allow_choice_duplicates:
        header.append("allow_choice_duplicates")
        row.append("yes")
    return [header, row]
