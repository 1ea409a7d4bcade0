"""Bounded work for call-script uploads: unpacked size, rows and columns, while streaming.

Issue #12: a .xlsx of a few hundred KB that unpacks to ~150 MB of XML (200,000 rows)
pinned a worker until it timed out. Figures (time, peak memory) are in
``bench/fuzz_importers.py``; here only what the editor sees.
"""

from __future__ import annotations

import io
import struct
import zipfile

import pytest

from content.extensions import db
from content.limits import LimitExceeded, Limits, check_archive
from tests.fixtures.web import post_form
from tests.fuzz.workbooks import huge_sheet, table, workbook
from tracing_app.scripts import xlsform_read
from tracing_app.scripts.models import ScriptVersion

SURVEY = [["type", "name", "label"], ["text", "full_name", "Name"], ["integer", "age", "Age"]]


def _upload(client, data: bytes, name: str = "script.xlsx", lang: str = "en"):
    return post_form(
        client,
        f"/{lang}/workspace/scripts/",
        {"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _problems(data: bytes, name: str = "script.xlsx") -> list[str]:
    _sheets, problems = xlsform_read.read_sheets(data, name)
    return [problem.message for problem in problems]


def test_a_workbook_unpacking_to_150_mb_is_refused_naming_the_limit(client, auth):
    data = huge_sheet()
    assert len(data) < 1024 * 1024  # a few hundred KB zipped
    auth.login_as("editor")
    response = _upload(client, data, lang="nl")
    assert response.status_code == 400
    assert "Het bestand is uitgepakt groter dan 20 MB." in response.get_data(as_text=True)
    assert db.session.query(ScriptVersion).count() == 0


def test_200000_small_rows_stop_at_the_row_limit_while_streaming(app):
    rows = ((n, [(1, "text")]) for n in range(1, 200_001))
    data = workbook(rows)
    with app.test_request_context("/en/"):
        assert _problems(data) == ["The file has more than 10000 rows."]


def test_a_cell_past_the_column_limit_is_refused(app):
    data = workbook([(1, [(1, "type"), (2, "name"), (300, "label")])])
    with app.test_request_context("/en/"):
        assert _problems(data) == ["A row has more than 200 columns."]


def test_limits_come_from_the_settings(app, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_ROWS", 2)
    with app.test_request_context("/en/"):
        assert _problems(table(SURVEY)) == ["The file has more than 2 rows."]
        csv_text = "\n".join(",".join(row) for row in SURVEY).encode()
        assert _problems(csv_text, "script.csv") == ["The file has more than 2 rows."]


def test_a_declared_sheet_size_is_not_trusted(app):
    # Excel's largest sheet declared, three small rows written: openpyxl would pad every
    # row to 16,384 columns and add empty rows up to the declared size.
    data = table(SURVEY, dimension="A1:XFD1048576")
    with app.test_request_context("/en/"):
        sheets, problems = xlsform_read.read_sheets(data, "script.xlsx")
    assert problems == []
    assert sheets["survey"].header == ["type", "name", "label"]
    assert [number for number, _cells in sheets["survey"].rows] == [2, 3]


def test_an_archive_with_too_many_parts_is_refused(app):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in range(1001):
            archive.writestr(f"part{number}.xml", "")
    with app.test_request_context("/en/"):
        assert _problems(buffer.getvalue()) == ["The file holds more than 1000 parts."]


def _lie_about_sizes(data: bytes, member: str, size: int) -> bytes:
    """Write ``size`` as the unpacked size of ``member`` in both of its headers."""
    data = bytearray(data)
    name = member.encode()
    local = data.find(b"PK\x03\x04")
    while local != -1:
        name_length = struct.unpack_from("<H", data, local + 26)[0]
        if data[local + 30 : local + 30 + name_length] == name:
            struct.pack_into("<I", data, local + 22, size)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_length] == name:
            struct.pack_into("<I", data, central + 24, size)
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def test_an_archive_that_lies_about_its_sizes_is_caught_while_unpacking(app):
    honest = table(SURVEY)
    liar = _lie_about_sizes(honest, "xl/worksheets/sheet1.xml", 10)
    with pytest.raises(zipfile.BadZipFile):
        check_archive(liar, Limits())
    with pytest.raises(LimitExceeded) as refused:
        check_archive(honest, Limits(max_unpacked_bytes=200))
    assert refused.value.limit == "unpacked"
    with app.test_request_context("/en/"):
        assert _problems(liar) == ["This file cannot be read as an Excel workbook (.xlsx)."]
