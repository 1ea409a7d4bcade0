"""Bounded work and one decoding rule for uploads (content/limits.py), and content files."""

from __future__ import annotations

import io

import pytest

from content.limits import (
    LimitExceeded,
    Limits,
    UnreadableText,
    bounded_rows,
    decode_text,
    read_text_upload,
)
from content.transfer import reader
from content.transfer.format import FormatError, parse_document

TEXT = "naam;telefoon\r\nHélène;0470 12 34 56\r\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (TEXT.encode("utf-8"), TEXT),
        (TEXT.encode("utf-8-sig"), TEXT),  # the mark is not part of the text
        (TEXT.encode("utf-16"), TEXT),  # little-endian with its mark
        (b"\xfe\xff" + TEXT.encode("utf-16-be"), TEXT),
        (TEXT.encode("cp1252"), TEXT),  # not UTF-8: Excel's Windows "CSV"
        ("€ 5".encode("cp1252"), "€ 5"),  # Windows-1252, not Latin-1, for 0x80
        (b"\x81\x8d", "\x81\x8d"),  # undefined in Windows-1252: Latin-1
    ],
)
def test_text_is_decoded_by_one_rule(data, expected):
    assert decode_text(data) == expected


@pytest.mark.parametrize(
    "data", [TEXT.encode("utf-16-le"), b"\xff\xfe\x00\xd8", b"PK\x03\x04\x00\x00"]
)
def test_what_is_not_text_is_refused(app, data):
    with pytest.raises(UnreadableText) as refused, app.test_request_context("/fr/"):
        decode_text(data)
    with app.test_request_context("/fr/"):
        assert (
            refused.value.message
            == "Le fichier n'est pas du texte : enregistrez-le en CSV (UTF-8)."
        )


def test_rows_and_columns_are_counted_as_they_stream():
    limits = Limits(max_rows=3, max_columns=2)
    assert list(bounded_rows([["a", "b", ""], ["c"]], limits)) == [["a", "b", ""], ["c"]]
    with pytest.raises(LimitExceeded) as refused:
        list(bounded_rows([["a", "b", "c"]], limits))
    assert (refused.value.limit, refused.value.maximum) == ("columns", 2)

    def endless():
        while True:
            yield ["x"]

    with pytest.raises(LimitExceeded) as refused:
        list(bounded_rows(endless(), limits))
    assert refused.value.limit == "rows"


@pytest.mark.parametrize(
    "front",
    ["published: 2024-02-30", "position: 0x_", "title: " + "[" * 3000 + "]" * 3000],
)
def test_front_matter_python_cannot_hold_is_a_format_error(front):
    with pytest.raises(FormatError):
        parse_document(f"---\n{front}\n---\nbody\n")


def test_a_content_file_over_the_size_limit_is_named(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_TEXT_BYTES", 100)
    (tmp_path / "nl").mkdir()
    (tmp_path / "nl" / "_index.md").write_text("---\ntitle: Start\n---\n" + "x" * 200)
    with app.test_request_context("/en/"):
        sources, problems = reader.scan(tmp_path)
    assert [source.meta for source in sources] == [None]
    assert [str(problem) for problem in problems] == [
        "nl/_index.md: The file is too large: at most 100 bytes."
    ]


def test_a_text_upload_is_read_only_up_to_its_limit():
    class Endless(io.RawIOBase):
        def readable(self):
            return True

        def readinto(self, buffer):
            buffer[:] = b"x" * len(buffer)
            return len(buffer)

    with pytest.raises(LimitExceeded) as refused:
        read_text_upload(io.BufferedReader(Endless()), Limits(max_text_bytes=1000))
    assert refused.value.limit == "bytes"
    text = "::Q1:: 1+1? {=2 ~3}".encode("utf-16")
    assert read_text_upload(io.BytesIO(text), Limits()) == "::Q1:: 1+1? {=2 ~3}"
