"""One-page PDFs (content.pdf): the text a reader sees, accents, the QR code and its URL."""

from __future__ import annotations

import base64
import re
import zlib

import segno

from content.pdf import build_pdf, extract_text

URL = "https://tracing.example.org/fr/verify/Zq3-kT9_aa"


def _document(**kwargs) -> bytes:
    kwargs.setdefault("title", "Certificat de formation")
    kwargs.setdefault(
        "fields", [("Titulaire", "Zoë Müller-Straße"), ("Formation", "Traçage: les bases")]
    )
    kwargs.setdefault("paragraph", "Ce certificat atteste la réussite de l'examen.")
    kwargs.setdefault("qr_url", URL)
    kwargs.setdefault("language", "fr")
    return build_pdf(**kwargs)


def _images(pdf: bytes) -> list[tuple[int, int, bytes]]:
    """Return (width, height, RGB pixels) of every image embedded in a PDF of build_pdf."""
    images = []
    pattern = rb"\d+ 0 obj\s*<<(?P<head>(?:(?!endobj).)*?)>>\s*stream\r?\n(?P<data>.*?)\s*endstream"
    for match in re.finditer(pattern, pdf, re.S):
        head = match.group("head")
        if b"/Subtype /Image" not in head:
            continue
        data = match.group("data").strip().removesuffix(b"~>")
        assert b"/ASCII85Decode /FlateDecode" in head, head
        pixels = zlib.decompress(base64.a85decode(data))
        width = int(re.search(rb"/Width (\d+)", head).group(1))
        height = int(re.search(rb"/Height (\d+)", head).group(1))
        images.append((width, height, pixels))
    return images


def test_a_pdf_with_every_part_in_order():
    pdf = _document()
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert extract_text(pdf).splitlines() == [
        "Certificat de formation",
        "Titulaire",
        "Zoë Müller-Straße",
        "Formation",
        "Traçage: les bases",
        "Ce certificat atteste la réussite de l'examen.",
        URL,
    ]


def test_accented_latin_letters_render_in_the_standard_fonts():
    text = "é è ë ü ö ß ç œ € « » – Ærøskøbing"
    pdf = build_pdf(title=text, fields=[("Né à", text)], paragraph=text)
    assert extract_text(pdf).splitlines() == [text, "Né à", text, text]
    assert b"/WinAnsiEncoding" in pdf


def test_letters_outside_the_fonts_lose_their_accent_or_become_a_question_mark():
    assert extract_text(build_pdf(title="Świątek Łukasz Ωmega")) == "Swiatek ?ukasz ?mega"


def test_markup_characters_are_text_not_markup():
    pdf = build_pdf(title="A & B <b>not bold</b>", paragraph="x < y & z")
    assert extract_text(pdf).splitlines() == ["A & B <b>not bold</b>", "x < y & z"]


def test_the_document_carries_its_language_and_title():
    pdf = _document(language="de", title="Zertifikat")
    assert b"/Lang (de)" in pdf
    assert b"/Title (Zertifikat)" in pdf


def test_the_qr_code_is_an_image_of_the_urls_code():
    (width, height, pixels), *others = _images(_document())
    assert not others
    qr = segno.make(URL, error="m", micro=False)
    scale, border = 8, 4
    assert (width, height) == qr.symbol_size(scale=scale, border=border)
    # Sample the middle of every module: black where the QR code of the URL is dark.
    for row, modules in enumerate(qr.matrix):
        for col, dark in enumerate(modules):
            y = (row + border) * scale + scale // 2
            x = (col + border) * scale + scale // 2
            red = pixels[(y * width + x) * 3]
            assert (red < 128) == bool(dark), (row, col)


def test_without_url_there_is_no_qr_code():
    pdf = _document(qr_url=None)
    assert _images(pdf) == []
    assert URL not in extract_text(pdf)


def test_same_input_same_bytes():
    assert _document() == _document()
    assert _document(compress=False) != _document()
    assert extract_text(_document(compress=False)) == extract_text(_document())
