"""The ODK functions real forms use, and the ones a call script refuses by name."""

from __future__ import annotations

import datetime
import math
import re

import pytest

from tracing_app.scripts.expressions import ExpressionSyntaxError, parse, unparse


class Context:
    """Answers by name; ``${multi}`` has three answers in the repeat instances it sees."""

    ANSWERS = {"age": "42", "onset": "2024-03-05", "multi": "fever cough smell", "blank": ""}
    INSTANCES = {"score": ["3", "5", "", "1"], "name": ["An", "Bo"]}

    def __init__(self, current=""):
        self.current_value = current

    def value(self, name):
        return self.ANSWERS.get(name, "")

    def instance_values(self, name):
        return self.INSTANCES.get(name, [self.value(name)])

    def instance_position(self):
        return 3

    def current(self):
        return self.current_value

    def choice_label(self, name, value):
        return value

    def today(self):
        return datetime.date(2024, 3, 15)

    def now(self):
        return datetime.datetime(2024, 3, 15, 10, 30)


VALUES = [
    ("sqrt(${age} - 26)", 4.0),
    ("pow(2, 10)", 1024.0),
    ("pow(0, -1)", math.inf),
    ("pow(10, 400)", math.inf),
    ("exp(0)", 1.0),
    ("exp10(3)", 1000.0),
    ("log(1)", 0.0),
    ("log10(1000)", 3.0),
    ("abs(-3.5)", 3.5),
    ("floor(-2.5)", -3.0),
    ("ceiling(2.1)", 3.0),
    ("round(atan2(1, 1) * 4 - pi(), 6)", 0.0),
    ("count(${score})", 4.0),
    ("count-non-empty(${score})", 3.0),
    ("count(${age})", 1.0),
    ("sum(${name})", None),  # NaN: names are not numbers
    ("max(${age}, 50, 7)", 50.0),
    ("min(${age}, 50, 7)", 7.0),
    ("max(${score})", None),  # NaN: one instance is unanswered, as in XPath
    ("join(', ', ${name})", "An, Bo"),
    ("selected-at(${multi}, 1)", "cough"),
    ("selected-at(${multi}, 5)", ""),
    ("boolean-from-string('true')", True),
    ("boolean-from-string('1')", True),
    ("boolean-from-string('yes')", False),
    ("string(12.50)", "12.5"),
    ("normalize-space('  Jan   de  Smet ')", "Jan de Smet"),
    ("translate('jan', 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')", "JAN"),
    ("translate('a-b-c', '-', '')", "abc"),
    ("ends-with('report.pdf', '.pdf')", True),
    ("substring-before('jan@example.org', '@')", "jan"),
    ("substring-after('jan@example.org', '@')", "example.org"),
    ("format-date(${onset}, '%d/%m/%Y')", "05/03/2024"),
    ("format-date(${onset}, '%e %b %y, %a')", "5 Mar 24, Tue"),
    ("format-date-time('2024-03-05T08:04:09', '%H:%M:%S')", "08:04:09"),
    ("format-date('not a date', '%Y')", ""),
    ("decimal-date-time(${onset})", 19787.0),
    ("decimal-date-time('1970-01-02T12:00:00Z')", 1.5),
    ("decimal-time('18:00')", 0.75),
    ("date-time(1.5)", "1970-01-02T12:00:00.000"),
    (
        "digest('abc', 'SHA-256', 'hex')",
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    ),
    ("digest('abc', 'MD5')", "kAFQmDzST7DWlj99KOF/cg=="),
    ("position(..)", 3.0),
    ("position( .. )", 3.0),
    ("string-length(uuid())", 36.0),
    ("string-length(uuid(12))", 12.0),
]


@pytest.mark.parametrize(("text", "expected"), VALUES)
def test_odk_function_values(text, expected):
    value = parse(text).evaluate(Context())
    if expected is None:
        assert math.isnan(value)
    else:
        assert value == expected


def test_once_keeps_the_value_the_question_already_has():
    assert parse("once(${age})").evaluate(Context(current="")) == "42"
    assert parse("once(${age})").evaluate(Context(current="7")) == "7"
    assert re.fullmatch(r"[0-9a-f-]{36}", parse("once(uuid())").evaluate(Context()))


def test_a_plain_context_counts_one_instance():
    class Plain:
        def value(self, name):
            return "4"

        def current(self):
            return ""

    assert parse("sum(${x})").evaluate(Plain()) == 4.0
    assert parse("position(..)").evaluate(Plain()) == 1.0
    assert parse("indexed-repeat(${x}, ${r}, 2)").evaluate(Plain()) == "4"


def test_position_round_trips_as_written():
    assert unparse(parse("position(..) + 1").tree) == "position(..) + 1"


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        ("pulldata('f', 'a', 'b', ${x})", 0, "Function 'pulldata' is not supported in call"),
        ("1 + instance('list')", 4, "it reads a file outside the form"),
        ("distance(${x})", 0, "a call has no locations"),
        ("random()", 0, "answers must not change between two saves"),
        ("frobnicate(1)", 0, "Unknown function 'frobnicate'"),
        ("indexed-repeat(${x}, 'r', 1)", 21, "Write indexed-repeat(${field}, ${repeat}"),
        ("indexed-repeat(${x}, ${r}, 1, ${s})", 0, "Write indexed-repeat("),
        ("digest('a', 'SHA-2')", 12, "digest() knows MD5, SHA-1"),
        ("../x", 0, "'..' is not supported"),
        ("count(..)", 6, "'..' is not supported"),
    ],
)
def test_refused_functions_name_themselves(text, position, message):
    with pytest.raises(ExpressionSyntaxError) as caught:
        parse(text)
    assert caught.value.position == position
    assert message in caught.value.message
