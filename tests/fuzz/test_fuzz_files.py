"""Fuzzing call scripts (.xlsx, .csv), GIFT, Aiken, content files and media uploads.

Each entry point gets a result or its documented error for any input, never another
exception. GIFT and Aiken are fuzzed through their public parse functions.
"""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from content.limits import UnreadableText, decode_text
from content.media import operations as media
from content.transfer import reader
from content.transfer.format import FENCE
from lms.quizzes import QuestionImportError, parse_aiken, parse_gift
from tests.fuzz import TRIED
from tests.fuzz.strategies import FUZZ, PIECES, encoded, texts
from tests.fuzz.workbooks import table
from tracing_app.scripts import xlsform

SURVEY = [
    ["type", "name", "label::English (en)", "relevant", "constraint", "appearance"],
    ["text", "national_number", "National number", "", "", "national-number"],
    ["select_one yes_no", "ill", "Ill?", "${national_number} != ''", "", ""],
    ["integer", "age", "Age", "", ". < 120", ""],
]
VALID_WORKBOOK = table(SURVEY)


def _check_form(data: bytes, filename: str) -> None:
    definition, problems = xlsform.read(data, filename)
    assert definition is not None or problems
    for problem in problems:
        assert str(problem.message).strip()


@st.composite
def mutated(draw, data: bytes) -> bytes:
    """``data`` with a few bytes changed, cut, or a part inserted."""
    data = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        position = draw(st.integers(0, len(data) - 1))
        data[position] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        del data[draw(st.integers(0, len(data))) :]
    return bytes(data)


cells = st.one_of(PIECES, st.sampled_from([r[0] for r in SURVEY] + ["begin_group", "end_group"]))
workbooks = st.one_of(
    st.lists(st.lists(cells, max_size=8), max_size=12).map(lambda rows: table([SURVEY[0], *rows])),
    mutated(VALID_WORKBOOK),
    st.binary(max_size=3000),
)


@FUZZ
@given(data=workbooks)
def test_xlsx_scripts_read_or_list_problems(app, data):
    TRIED["xlsform-xlsx"] += 1
    with app.test_request_context("/en/"):
        _check_form(data, "script.xlsx")


@FUZZ
@given(data=encoded())
def test_csv_scripts_read_or_list_problems(app, data):
    TRIED["xlsform-csv"] += 1
    with app.test_request_context("/en/"):
        _check_form(data, "script.csv")


def _question_text(data: bytes) -> str | None:
    try:
        return decode_text(data)
    except UnreadableText:
        return None


@FUZZ
@given(data=encoded())
def test_gift_gives_questions_or_problems(app, data):
    TRIED["gift"] += 1
    text = _question_text(data)
    if text is None:
        return
    with app.test_request_context("/en/"):
        try:
            questions, problems = parse_gift(text), None
        except QuestionImportError as error:
            questions, problems = None, error.problems
    assert isinstance(questions, list) or problems


@FUZZ
@given(data=encoded())
def test_aiken_gives_questions_or_problems(app, data):
    TRIED["aiken"] += 1
    text = _question_text(data)
    if text is None:
        return
    with app.test_request_context("/en/"):
        try:
            questions, problems = parse_aiken(text), None
        except QuestionImportError as error:
            questions, problems = None, error.problems
    assert isinstance(questions, list) or problems


@st.composite
def content_files(draw) -> bytes:
    """A page file: front matter (YAML pieces) and a body, or anything."""
    front = draw(texts(max_pieces=20))
    body = draw(texts(max_pieces=20))
    text = draw(st.sampled_from([f"{FENCE}\n{front}\n{FENCE}\n{body}", front]))
    return draw(st.one_of(st.just(text.encode()), encoded(st.just(text)), encoded()))


@pytest.fixture
def content_folder(tmp_path):
    """An export folder with one language root (the file is rewritten by each example)."""
    (tmp_path / "nl").mkdir()
    return tmp_path


@FUZZ
@given(data=content_files())
def test_content_files_read_or_name_the_problem(app, content_folder, data):
    TRIED["content-files"] += 1
    (content_folder / "nl" / "_index.md").write_bytes(data)
    with app.test_request_context("/en/"):
        sources, problems = reader.scan(content_folder)
    assert len(sources) == 1
    assert (sources[0].meta is None) == any(p.file == "nl/_index.md" for p in problems)


@FUZZ
@given(data=st.one_of(mutated(VALID_WORKBOOK), encoded(), st.binary(max_size=4000)))
def test_media_uploads_are_accepted_or_refused_with_a_reason(app, data):
    TRIED["media"] += 1
    with app.test_request_context("/en/"):
        try:
            checked, refusal = media.check_upload(io.BytesIO(data)), ""
        except media.MediaError as error:
            checked, refusal = None, str(error)
    assert checked.mimetype in media.ALLOWED_TYPES if checked else refusal.strip()
