"""Read an XLSForm file into sheets of text, and read their column headers.

``xlsform.py`` builds the definition from these tables. Row numbers are the ones the
author sees: the worksheet row, or the line of the CSV file. Columns are matched
case-insensitively; translated ones (``label::Nederlands (nl)``) get a language code.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from content.i18n import _
from content.limits import LimitExceeded, bounded_rows, upload_limits
from tracing_app.scripts import xlsx_limits
from tracing_app.scripts.definition import SITE_LANGUAGES, parse_language

SURVEY = "survey"
CHOICES = "choices"
SETTINGS = "settings"
SHEETS = (SURVEY, CHOICES, SETTINGS)
ERROR = "error"
NOTE = "note"

#: Other spellings of column names that XLSForm tools accept.
ALIASES = {
    "jr:constraintmsg": "constraint_message",
    "constraint message": "constraint_message",
    "constraint_message": "constraint_message",
    "jr:requiredmsg": "required_message",
    "required message": "required_message",
    "readonly": "read_only",
    "choice filter": "choice_filter",
    "list name": "list_name",
    "id_string": "form_id",
    "set_form_id": "form_id",
    "set_form_title": "form_title",
    "caption": "label",
    "relevance": "relevant",
    "calculate": "calculation",
    "requiredmsg": "required_message",
    "constraining_message": "constraint_message",
}

Source = str | os.PathLike[str] | bytes | IO[bytes]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a form, where the author can find it.

    ``sheet`` is ``""`` for a problem with the whole file, ``row`` is ``None`` for one
    with a whole sheet, and ``column`` (a column name) is ``None`` for one with a row.
    A ``note`` (`NOTE`) says how something was read and does not stop the import.
    """

    sheet: str
    row: int | None
    column: str | None
    message: str
    severity: str = ERROR

    @property
    def is_note(self) -> bool:
        """Whether this only tells how something was read (the import goes on)."""
        return self.severity == NOTE


def format_problem(problem: Problem) -> str:
    """Return a problem on one line: ``survey, row 12, column relevant: Expected ')' …``."""
    place = [problem.sheet] if problem.sheet else []
    if problem.row is not None:
        place.append(_("row %(row)s", row=problem.row))
    if problem.column:
        place.append(_("column %(column)s", column=problem.column))
    message = (
        _("Note: %(message)s", message=problem.message) if problem.is_note else problem.message
    )
    return f"{', '.join(place)}: {message}" if place else message


def split_header(header: str, double_colon: bool) -> tuple[str, str | None]:
    """Return a header's column name (snake case) and the language written after it, if any.

    As pyxform: a sheet with a ``::`` header anywhere separates languages with ``::``;
    otherwise a single ``:`` does (``label:English (en)``), except in ``jr:`` names.
    """
    if double_colon or "::" in header:
        base, separator, language = header.partition("::")
    else:
        tokens = header.split(":")
        if tokens[0].strip().lower() == "jr" and len(tokens) > 1:
            tokens = [f"jr:{tokens[1]}", *tokens[2:]]
        base, separator, language = tokens[0], ":" if len(tokens) > 1 else "", ":".join(tokens[1:])
    base = "_".join(base.split()).lower()
    return base, language.strip() if separator else None


def uses_double_colon(sheet: Sheet) -> bool:
    """Whether the sheet's headers separate languages with ``::`` (else with ``:``)."""
    return any("::" in header for header in sheet.header)


class XLSFormError(ValueError):
    """The form has problems; nothing of it was imported."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the form")
        self.problems = problems


@dataclass
class Sheet:
    """The non-empty rows of one sheet: a header and numbered rows of text."""

    name: str
    header_row: int | None = None
    header: list[str] = field(default_factory=list)
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


@dataclass(frozen=True)
class Column:
    """A column of a sheet: its place, its name, and its language if it is translated."""

    index: int
    header: str
    base: str
    language: str | None


def read_sheets(source: Source, filename: str | None) -> tuple[dict[str, Sheet], list[Problem]]:
    """Return the survey, choices and settings sheets found in an ``.xlsx`` or ``.csv`` file.

    :param source: a path, the file's bytes or a binary stream.
    :param filename: decides the format by its extension; defaults to the path's name.
    """
    if filename is None and isinstance(source, str | os.PathLike):
        filename = os.fspath(source)
    data = _read_bytes(source)
    suffix = Path(filename or "").suffix.lower()
    if suffix == ".xlsx" or (not suffix and data.startswith(b"PK\x03\x04")):
        return _read_xlsx(data)
    if suffix == ".csv" or not suffix:
        return _read_csv(data)
    message = _("Only .xlsx and .csv files can be read, not %(suffix)s.", suffix=suffix)
    return {}, [Problem("", None, None, message)]


def _read_bytes(source: Source) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, str | os.PathLike):
        return Path(source).read_bytes()
    return source.read()


def _read_xlsx(data: bytes) -> tuple[dict[str, Sheet], list[Problem]]:
    sheets: dict[str, Sheet] = {}
    limits = upload_limits()
    # openpyxl warns about spreadsheet features it drops (data validation, styles);
    # none of them matter for a form.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            workbook = xlsx_limits.open_workbook(data, limits)
        except LimitExceeded as exc:
            return {}, [Problem("", None, None, exc.message)]
        except Exception:  # openpyxl raises many kinds of errors on damaged files
            message = _("This file cannot be read as an Excel workbook (.xlsx).")
            return {}, [Problem("", None, None, message)]
        try:
            for worksheet in workbook.worksheets:
                name = worksheet.title.strip().lower()
                if name in SHEETS and name not in sheets:
                    rows = xlsx_limits.sheet_rows(worksheet, limits)
                    numbered = ((n, [_cell_text(v) for v in row]) for n, row in enumerate(rows, 1))
                    sheets[name] = _sheet(name, numbered)
        except LimitExceeded as exc:
            return {}, [Problem(name, None, None, exc.message)]
        except Exception:  # a damaged sheet only shows while it streams
            message = _("This file cannot be read as an Excel workbook (.xlsx).")
            return {}, [Problem("", None, None, message)]
        finally:
            workbook.close()
    return sheets, []


def _cell_text(value: object) -> str:
    """Return a cell as the text the author typed (Excel stores numbers and dates)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.isoformat(timespec="minutes")
    return str(value).strip()


def _read_csv(data: bytes) -> tuple[dict[str, Sheet], list[Problem]]:
    """Read a CSV file: the survey sheet alone, or sections named in column A.

    A row whose first cell is ``survey``, ``choices`` or ``settings`` starts that sheet;
    its header is the rest of that row or the next row, and the sheet's rows follow with
    column A empty (pyxform's CSV format).
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's plain "CSV" on Windows in Western Europe.
        text = data.decode("cp1252", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for cells in bounded_rows(reader, upload_limits()):
            rows.append((line, [cell.strip() for cell in cells]))
            line = reader.line_num + 1
    except LimitExceeded as exc:
        return {}, [Problem("", None, None, exc.message)]
    except csv.Error:
        message = _("Line %(line)d cannot be read as CSV.", line=reader.line_num)
        return {}, [Problem("", None, None, message)]
    rows = [(number, cells) for number, cells in rows if any(cells)]
    if not rows or rows[0][1][0].lower() not in SHEETS:
        return {SURVEY: _sheet(SURVEY, rows)}, []
    return _read_sections(rows)


def _read_sections(rows: list[tuple[int, list[str]]]) -> tuple[dict[str, Sheet], list[Problem]]:
    problems: list[Problem] = []
    sections: dict[str, list[tuple[int, list[str]]]] = {}
    current: str | None = None
    for number, cells in rows:
        if cells[0]:
            current = cells[0].lower()
            if current not in SHEETS:
                message = _(
                    "Unknown sheet %(name)s: use survey, choices or settings.", name=cells[0]
                )
                problems.append(Problem(cells[0], number, None, message))
                current = None
                continue
            sections.setdefault(current, [])
            if any(cells[1:]):
                sections[current].append((number, cells[1:]))
        elif current:
            sections[current].append((number, cells[1:]))
    return {name: _sheet(name, rows) for name, rows in sections.items()}, problems


def _delimiter(text: str) -> str:
    """Guess the delimiter: comma, or semicolon as Excel writes it in Belgium, or tab."""
    sample = text.splitlines()[:10]
    return max(",;\t", key=lambda delimiter: sum(line.count(delimiter) for line in sample))


def _sheet(name: str, rows: Iterable[tuple[int, list[str]]]) -> Sheet:
    sheet = Sheet(name)
    for number, cells in rows:
        if not any(cells):
            continue
        if sheet.header_row is None:
            sheet.header_row, sheet.header = number, cells
        else:
            sheet.rows.append((number, cells))
    return sheet


def default_language(sheets: dict[str, Sheet]) -> tuple[str, list[Problem]]:
    """Return the ``default_language`` setting, else the language of the first label column.

    Forms with neither are in the first site language.
    """
    problems: list[Problem] = []
    settings = sheets.get(SETTINGS)
    if settings and settings.rows:
        row, cells = settings.rows[0]
        for index, header in enumerate(settings.header):
            if header.strip().lower() == "default_language" and index < len(cells):
                code = parse_language(cells[index]) if cells[index] else None
                if code in SITE_LANGUAGES:
                    return code, problems
                if cells[index]:
                    message = _(
                        "%(language)s is not a language of this site (%(languages)s).",
                        language=cells[index],
                        languages=", ".join(SITE_LANGUAGES),
                    )
                    problems.append(Problem(SETTINGS, row, "default_language", message))
    survey = sheets.get(SURVEY)
    double_colon = bool(survey) and uses_double_colon(survey)
    for header in survey.header if survey else ():
        base, language = split_header(header, double_colon)
        code = parse_language(language) if language is not None else None
        if base == "label" and code in SITE_LANGUAGES:
            return code, problems
    return SITE_LANGUAGES[0], problems


def read_columns(
    sheet: Sheet, known: frozenset[str], texts: frozenset[str], default: str
) -> tuple[list[Column], list[Problem]]:
    """Return the columns of a sheet that are kept, with the problems of its header.

    :param known: the sheet's column names; other columns keep their case (choice filters).
    :param texts: the translated columns; without a language they are in ``default``.
    """
    problems: list[Problem] = []
    columns: list[Column] = []
    seen: dict[tuple[str, str | None], str] = {}
    double_colon = uses_double_colon(sheet)
    for index, header in enumerate(sheet.header):
        base, language_text = split_header(header, double_colon)
        separator = language_text is not None
        base = ALIASES.get(base, base)
        if base not in known:
            base = header.strip()  # an extra column, e.g. a choice filter: keep its case
        language = None
        if base in texts:
            language = parse_language(language_text) if separator else default
            if language is None:
                message = _(
                    "The language of column %(column)s is not recognized: write it as"
                    " Name (code), for example label::Nederlands (nl).",
                    column=header,
                )
                problems.append(Problem(sheet.name, sheet.header_row, header, message))
                continue
            if language not in SITE_LANGUAGES:
                continue  # only the site's languages are kept
        elif separator or not base:
            continue  # media::image and the like: not used here
        if (base, language) in seen:
            message = _(
                "Column %(column)s repeats column %(other)s.",
                column=header,
                other=seen[base, language],
            )
            problems.append(Problem(sheet.name, sheet.header_row, header, message))
            continue
        seen[base, language] = header
        columns.append(Column(index, header, base, language))
    return columns, problems


def row_values(
    columns: list[Column], cells: list[str]
) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Return a row's plain values by column, and its texts by column and language."""
    plain: dict[str, str] = {}
    texts: dict[str, dict[str, str]] = {}
    for column in columns:
        value = cells[column.index] if column.index < len(cells) else ""
        if column.language is None:
            plain[column.base] = value
        elif value:
            texts.setdefault(column.base, {})[column.language] = value
    return plain, texts
