"""Build .xlsx workbooks in memory, streaming, including hostile ones (huge sheets, bombs).

A real workbook has a few more parts (styles, shared strings); openpyxl reads these
minimal ones, so they are enough to test what a reader does with a sheet.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'  # noqa: E501
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'  # noqa: E501
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'  # noqa: E501
    "</Types>"
)  # fmt: skip
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'  # noqa: E501
    "</Relationships>"
)  # fmt: skip
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'  # noqa: E501
    "</Relationships>"
)  # fmt: skip
_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<dimension ref="{dimension}"/><sheetData>'
)
_SHEET_END = "</sheetData></worksheet>"


def _row(number: int, cells: Iterable[tuple[int, str]]) -> str:
    parts = [f'<row r="{number}">']
    for column, text in cells:
        ref = f"{get_column_letter(column)}{number}"
        parts.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(text)}</t></is></c>')
    parts.append("</row>")
    return "".join(parts)


def workbook(
    rows: Iterable[tuple[int, Iterable[tuple[int, str]]]],
    *,
    sheet: str = "survey",
    dimension: str = "A1",
    compresslevel: int = 6,
) -> bytes:
    """Return an .xlsx of one sheet; ``rows`` are (row number, [(column, text)…]), streamed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _WORKBOOK.format(name=escape(sheet)))
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(_SHEET_START.format(dimension=dimension).encode())
            for number, cells in rows:
                part.write(_row(number, cells).encode())
            part.write(_SHEET_END.encode())
    return buffer.getvalue()


def table(rows: list[list[str]], **kwargs) -> bytes:
    """Return an .xlsx of one sheet holding ``rows`` from A1."""
    numbered = ((n, list(enumerate(cells, 1))) for n, cells in enumerate(rows, 1))
    return workbook(numbered, **kwargs)


def huge_sheet(rows: int = 200_000, row_bytes: int = 750) -> bytes:
    """Return the issue's workbook: a few hundred KB zipped, ~150 MB of XML, 200,000 rows.

    The rows are identical and leave out their optional ``r`` references, as some tools
    write them, so deflate packs them at about 1:1000.
    """
    row = (
        '<row><c t="inlineStr"><is><t>' + "x" * (row_bytes - 46) + "</t></is></c></row>"
    ).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _WORKBOOK.format(name="survey"))
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(_SHEET_START.format(dimension=f"A1:A{rows}").encode())
            batch = row * 1000
            for _ in range(rows // 1000):
                part.write(batch)
            part.write(row * (rows % 1000))
            part.write(_SHEET_END.encode())
    return buffer.getvalue()
