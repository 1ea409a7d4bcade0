"""Open an .xlsx upload with bounded work: the archive checked first, rows counted as read.

A workbook of a few hundred kilobytes can unpack to gigabytes of XML, and openpyxl pads
every row to the size a sheet *declares* (``A1:XFD1048576``). So the archive is checked
against :class:`content.limits.Limits` before openpyxl opens it, the declared size is
ignored, and rows and columns are counted while the sheet streams.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import openpyxl

from content.limits import Limits, bounded_rows, check_archive

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet


def open_workbook(data: bytes, limits: Limits) -> Workbook:
    """Check the archive, then open it read-only (values, not formulas).

    :raise content.limits.LimitExceeded: too many members or unpacked bytes.
    :raise Exception: openpyxl and zipfile raise many kinds on damaged files.
    """
    check_archive(data, limits)
    return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)


def sheet_rows(worksheet: ReadOnlyWorksheet, limits: Limits) -> Iterator[Sequence]:
    """Yield a sheet's rows of values, each as long as its last filled cell.

    :raise content.limits.LimitExceeded: at the first row or column past the limits.
    """
    # The declared dimension would make openpyxl pad rows to it: read what is there.
    worksheet.reset_dimensions()
    rows = worksheet.iter_rows(min_row=1, max_row=limits.max_rows + 1, values_only=True)
    return bounded_rows(rows, limits)
