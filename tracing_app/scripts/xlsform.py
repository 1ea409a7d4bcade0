"""Import and export call scripts as XLSForm (``.xlsx`` workbooks and ``.csv`` files).

:func:`load` collects every problem of a file before giving up, so the author can fix
them all in one go; nothing is imported while any remains (notes, which only tell how
something was read, do not count). ``xlsform_read`` reads the file into sheets of text,
``xlsform_build`` builds the definition from them, ``checks`` checks its logic, and
``xlsform_write`` writes it back. See docs/scripts.md, "Writing a script".
"""

from __future__ import annotations

import os
from pathlib import PurePath

from content.i18n import _
from tracing_app.scripts.checks import check_definition
from tracing_app.scripts.definition import ScriptDefinition
from tracing_app.scripts.xlsform_build import OTHER_CHOICE, FormBuilder, flag
from tracing_app.scripts.xlsform_read import (
    SHEETS,
    Problem,
    Source,
    XLSFormError,
    format_problem,
    read_sheets,
)
from tracing_app.scripts.xlsform_write import dump_csv, dump_xlsx

__all__ = [
    "OTHER_CHOICE",
    "Problem",
    "XLSFormError",
    "check_file",
    "dump_csv",
    "dump_xlsx",
    "flag",
    "format_problem",
    "load",
    "read",
]

_SHEET_ORDER = {name: rank for rank, name in enumerate(("", *SHEETS))}


def load(source: Source, filename: str | None = None) -> ScriptDefinition:
    """Read a form from an ``.xlsx`` or ``.csv`` file.

    :param source: a path, the file's bytes or a binary stream.
    :param filename: decides the format by its extension (defaults to the path's name)
        and gives the form id when the settings have none.
    :raise XLSFormError: with every problem found, when there is any (notes do not count).
    """
    definition, problems = read(source, filename)
    errors = [problem for problem in problems if not problem.is_note]
    if errors or definition is None:
        raise XLSFormError(errors)
    return definition


def check_file(path: str | os.PathLike[str]) -> list[Problem]:
    """Return every problem and note of an ``.xlsx`` or ``.csv`` form file (empty when fine)."""
    try:
        return read(path)[1]
    except OSError as error:
        message = _("%(path)s cannot be read: %(error)s", path=os.fspath(path), error=error)
        return [Problem("", None, None, message)]


def read(
    source: Source, filename: str | None = None
) -> tuple[ScriptDefinition | None, list[Problem]]:
    """Read a form and return it with every problem and note found, ordered by sheet and row.

    The definition is ``None`` when the survey sheet cannot be read at all. Notes
    (`Problem.is_note`) tell how something was read; the form can be imported with them.
    """
    if filename is None and not isinstance(source, bytes) and not hasattr(source, "read"):
        filename = PurePath(source).name
    sheets, problems = read_sheets(source, filename)
    definition = None
    if sheets or not problems:
        reader = FormBuilder(sheets, filename)
        definition = reader.read()
        problems += reader.problems
        if definition is not None:
            # Rows left out for a problem keep their names: references to them are fine.
            problems += check_definition(definition, known_names=frozenset(reader.names))
    problems.sort(key=lambda problem: (_SHEET_ORDER.get(problem.sheet, 9), problem.row or 0))
    return definition, problems
