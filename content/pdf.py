"""One-page A4 documents (certificates, ticket receipts): reportlab for the page, segno for the QR.

``build_pdf`` lays out, top to bottom: a title, a table of labelled fields, a paragraph,
and a QR code of a URL with the URL printed under it (so a reader without a phone can
still type it). Callers pass every text already translated; this module translates
nothing and knows no feature.

Fonts: the PDF's standard Helvetica (no font file to ship or embed). Its encoding
(WinAnsi, a superset of Latin-1) covers the four languages of the site: é, è, ë, ü, ö,
ß, ç, œ, €, quotes and dashes. Other letters lose their accent (ś → s) and the rest
(Greek, Cyrillic, ł…) print as "?"; embedding a TrueType font is the way to go if such
names appear.
Because standard-font text is stored as plain strings, ``extract_text`` can read it back
without a PDF library, which the tests use to check what a reader sees.
"""

from __future__ import annotations

import base64
import io
import re
import unicodedata
import zlib
from collections.abc import Sequence
from xml.sax.saxutils import escape

import segno
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

__all__ = ["build_pdf", "extract_text"]

_FONT, _BOLD = "Helvetica", "Helvetica-Bold"
_TITLE = ParagraphStyle("title", fontName=_BOLD, fontSize=22, leading=28, spaceAfter=8 * mm)
_LABEL = ParagraphStyle("label", fontName=_BOLD, fontSize=10, leading=13)
_VALUE = ParagraphStyle("value", fontName=_FONT, fontSize=11, leading=14)
_BODY = ParagraphStyle("body", fontName=_FONT, fontSize=11, leading=15)
_URL = ParagraphStyle("url", fontName=_FONT, fontSize=9, leading=12, alignment=1)
QR_SIZE = 45 * mm


def _printable(char: str) -> str:
    """Return ``char`` if the standard fonts have it, else its base letter (ś → s), else "?"."""
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        base = (
            unicodedata.normalize("NFKD", char).encode("cp1252", errors="ignore").decode("cp1252")
        )
        return base or "?"
    return char


def _text(value: object) -> str:
    """Escape a plain text for reportlab's mini-markup (names may contain ``&`` or ``<``)."""
    return escape("".join(_printable(char) for char in str(value)))


def _qr_image(url: str) -> Image:
    """Return the QR code of ``url`` as a PNG flowable (error correction M: survives a crease)."""
    png = io.BytesIO()
    segno.make(url, error="m", micro=False).save(png, kind="png", scale=8, border=4)
    png.seek(0)
    image = Image(png, width=QR_SIZE, height=QR_SIZE)
    image.hAlign = "CENTER"
    return image


def build_pdf(
    *,
    title: str,
    fields: Sequence[tuple[str, str]] = (),
    paragraph: str | None = None,
    qr_url: str | None = None,
    language: str = "en",
    author: str | None = None,
    compress: bool = True,
) -> bytes:
    """Return an A4 PDF document as bytes.

    :param title: the heading, also the document's title in its metadata.
    :param fields: ``(label, value)`` pairs, shown as a two-column table, in order.
    :param paragraph: plain text under the fields (no markup; blank lines start paragraphs).
    :param qr_url: a URL to print as a QR code, with the URL itself written under it.
    :param language: the document's language (BCP 47), written in the PDF for screen readers.
    :param author: the issuer, for the metadata.
    :param compress: compress the page streams (off only to read the raw PDF).
    """
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=25 * mm,
        bottomMargin=20 * mm,
        title=title,
        author=author or "",
        lang=language,
        invariant=1,  # same input, same bytes: reproducible downloads and tests
        pageCompression=1 if compress else 0,
    )
    story: list = [Paragraph(_text(title), _TITLE)]
    if fields:
        rows = [
            [Paragraph(_text(label), _LABEL), Paragraph(_text(value), _VALUE)]
            for label, value in fields
        ]
        table = Table(rows, colWidths=[55 * mm, None], hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                    ("TOPPADDING", (0, 0), (-1, -1), 5),
                ]
            )
        )
        story += [table, Spacer(1, 8 * mm)]
    if paragraph:
        for block in re.split(r"\n\s*\n", paragraph.strip()):
            story += [Paragraph(_text(block).replace("\n", "<br/>"), _BODY), Spacer(1, 3 * mm)]
    if qr_url:
        story += [Spacer(1, 8 * mm), _qr_image(qr_url), Spacer(1, 2 * mm)]
        story.append(Paragraph(_text(qr_url), _URL))
    document.build(story)
    return buffer.getvalue()


_OBJECT = re.compile(
    rb"\d+ 0 obj(?P<head>(?:(?!endobj).)*?)stream\r?\n(?P<data>.*?)\s*endstream", re.S
)
# A string shown (``(…) Tj``), or the end of a line (``T*``) or of a text block (``ET``).
_SHOWN = re.compile(rb"\((?P<text>(?:\\.|[^\\)])*)\)\s*Tj|(?P<end>T\*|\bET\b)")
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(raw: bytes) -> bytes:
    r"""Undo a PDF literal string's backslash escapes (``\(``, ``\351``…)."""

    def replace(match: re.Match) -> bytes:
        escaped = match.group(1)
        if escaped[:1].isdigit():
            return bytes([int(escaped, 8) & 0xFF])
        return _ESCAPES.get(escaped, escaped)

    return re.sub(rb"\\([0-7]{1,3}|.)", replace, raw, flags=re.S)


def _decoded(head: bytes, data: bytes) -> bytes | None:
    """Return a stream's content with reportlab's filters undone (None for images)."""
    if b"/Subtype /Image" in head:
        return None
    try:
        if b"/ASCII85Decode" in head:
            data = base64.a85decode(data.strip().removeprefix(b"<~").removesuffix(b"~>"))
        if b"/FlateDecode" in head:
            data = zlib.decompress(data)
    except (ValueError, zlib.error):
        return None
    return data


def extract_text(pdf: bytes) -> str:
    """Return the text a reader sees in a PDF made by ``build_pdf`` (one line per line of text).

    Good for this module's own output only (standard fonts, text shown with ``Tj``), not for
    arbitrary PDFs. Text is decoded from WinAnsi (cp1252), the standard fonts' encoding.
    """
    lines, line = [], []
    for match in _OBJECT.finditer(pdf):
        data = _decoded(match.group("head"), match.group("data"))
        for shown in _SHOWN.finditer(data or b""):
            if shown.group("end"):
                if line:
                    lines.append("".join(line))
                line = []
            else:
                line.append(_unescape(shown.group("text")).decode("cp1252", errors="replace"))
    return "\n".join(lines)
