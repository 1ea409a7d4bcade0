"""Hypothesis strategies for hostile uploads: bytes, encodings, line endings and sizes.

Texts are built from pieces a real file has (cells, separators, quotes, identifiers,
dates, front-matter fences, GIFT and Aiken marks) mixed with arbitrary characters, then
joined by any line ending and encoded in any encoding a user's tool might have chosen.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

#: Examples per fuzz target in the suite; ``bench/fuzz_importers.py`` raises it.
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "30"))

FUZZ = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    derandomize=os.environ.get("FUZZ_RANDOM") is None,  # CI: the same inputs every run
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
        HealthCheck.large_base_example,
    ],
)

LINE_ENDINGS = st.sampled_from(["\n", "\r\n", "\r", "\n\r", "\u2028", ""])
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "latin-1", "cp1252"])

PIECES = st.one_of(
    st.sampled_from(
        [
            ",", ";", "\t", '"', "'", '""', "\\", "\x00", "\ufeff", " ", "=", "::", "{", "}",
            "~", "#", "//", "$CATEGORY:", "---", "...", "ANSWER: A", "A.", "B)", "[html]",
            "external_id", "first_name", "last_name", "national_number", "birth_date",
            "phone", "email", "language", "priority", "due", "type", "name", "label",
            "survey", "choices", "settings", "select_one yes_no", "begin_group", "end_group",
            "85.07.30-033.28", "85073003399", "1990-02-30", "0000-01-01", "9999-12-31T23:59",
            "+32 12", "0470 12 34 56", "+32470123456", "a@b", "nl", "fr", "1e309",
            "9" * 400, "-0", "NaN", "Infinity", "null", "[", "]", "true", "&", "*a", "!!python",
            "Ünïcødé", "\u202e", "\U0001f600", "\ud800".encode("utf-8", "surrogatepass").decode(
                "utf-8", "replace"
            ),
        ]
    ),
    st.text(max_size=30),
)  # fmt: skip


@st.composite
def texts(draw, max_pieces: int = 60) -> str:
    """A text of lines made of real-file pieces and arbitrary characters."""
    ending = draw(LINE_ENDINGS)
    lines = draw(st.lists(st.lists(PIECES, max_size=12).map("".join), max_size=max_pieces // 6 + 1))
    return ending.join(lines)


@st.composite
def encoded(draw, text_strategy=None) -> bytes:
    """A text in some encoding, or raw bytes, maybe cut anywhere or repeated."""
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return draw(st.binary(max_size=2000))
    text = draw(text_strategy if text_strategy is not None else texts())
    data = text.encode(draw(ENCODINGS), errors="replace")
    if kind == 1 and data:
        data = data[: draw(st.integers(0, len(data)))]
    elif kind == 2:
        data = data * draw(st.integers(2, 50))
    return data


@st.composite
def csv_orders(draw) -> bytes:
    """A call-order CSV: a (mostly) right header and cells of real and odd values."""
    from tracing_app.calls.importer import COLUMNS

    header = draw(st.lists(st.sampled_from([*COLUMNS, "x", ""]), min_size=1, max_size=12))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    ending = draw(LINE_ENDINGS.filter(bool))
    cells = st.one_of(PIECES, st.sampled_from(["0470 12 34 56", "Peeters", ""]))
    rows = draw(st.lists(st.lists(cells, max_size=len(header) + 1), max_size=8))
    lines = [delimiter.join(header)] + [delimiter.join(row) for row in rows]
    return ending.join(lines).encode(draw(ENCODINGS), errors="replace")


@st.composite
def json_values(draw):
    """JSON-like values: objects of order fields with odd values, nesting, big numbers."""
    from tracing_app.calls.importer import COLUMNS

    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**30), max_value=10**30),
        st.floats(allow_nan=True, allow_infinity=True),
        PIECES,
    )
    order = st.dictionaries(st.sampled_from([*COLUMNS, "x"]), scalars, max_size=10)
    values = st.recursive(
        st.one_of(scalars, order), lambda inner: st.lists(inner, max_size=4), max_leaves=20
    )
    return draw(st.one_of(st.lists(order, max_size=6), values))
