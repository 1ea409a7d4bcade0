"""Questions to JSON and back: what the bank stores is exactly what it grades with."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.quizzes import (
    Choice,
    MultipleChoiceQuestion,
    NumericAnswer,
    NumericQuestion,
    NumericRange,
    Scoring,
    ShortTextQuestion,
    SingleChoiceQuestion,
    TextAnswer,
    grade,
)
from lms.quizzes.questions.serialize import question_from_json, question_to_json
from tests.lms.test_gift import PROPERTIES, QUESTIONS

D = Decimal


def through_json(question):
    """Serialise to a JSON text and read it back, as the bank does."""
    return question_from_json(json.loads(json.dumps(question_to_json(question))))


@PROPERTIES
@given(
    QUESTIONS,
    st.sampled_from([D(1), D("2.5"), D(0)]),
    st.booleans(),
)
def test_round_trip_every_type(question, mark, flag):
    changes = {"mark": mark}
    if hasattr(question, "shuffle"):
        changes["shuffle"] = flag
    if isinstance(question, MultipleChoiceQuestion):
        changes["scoring"] = Scoring.ALL_OR_NOTHING if flag else Scoring.PARTIAL
    if isinstance(question, ShortTextQuestion):
        changes["ignore_case"], changes["ignore_accents"] = flag, not flag
    question = replace(question, **changes)
    assert through_json(question) == question


def test_decimals_are_strings_not_floats():
    question = MultipleChoiceQuestion(
        name="Symptomen",
        text="Welke?",
        options=(
            Choice("a1", "Koorts", D("0.3333333")),
            Choice("b2", "Hoest", D("0.3333333")),
            Choice("c3", "Geur", D("0.3333334")),
            Choice("d4", "Jeuk", D("-1"), "Nee."),
        ),
    )
    data = question_to_json(question)
    assert [option["fraction"] for option in data["options"]] == [
        "0.3333333",
        "0.3333333",
        "0.3333334",
        "-1",
    ]
    assert data["scoring"] == "partial"
    assert grade(through_json(question), ["a1", "b2", "c3"]).fraction == 1


def test_numeric_values_and_ranges_keep_their_shape():
    question = NumericQuestion(
        name="Incubatie",
        text="Dagen?",
        answers=(
            NumericAnswer("1", D("14"), D("1"), D(1), "Juist."),
            NumericRange("2", D("10"), D("12.5"), D("0.5")),
        ),
    )
    data = question_to_json(question)
    assert data["answers"][0] == {
        "id": "1",
        "value": "14",
        "tolerance": "1",
        "fraction": "1",
        "feedback": "Juist.",
    }
    assert data["answers"][1]["minimum"] == "10"
    assert through_json(question) == question


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "essay", "name": "x", "text": "y"},
        {"kind": "single_choice", "name": "x", "text": "y"},
        {
            "kind": "single_choice",
            "name": "x",
            "text": "y",
            "options": [{"id": "a", "text": "A", "fraction": "0.5"}],
        },
        {
            "kind": "short_text",
            "name": "x",
            "text": "y",
            "answers": [{"id": "1", "text": "a", "fraction": "veel"}],
        },
    ],
)
def test_malformed_specs_raise_value_error(data):
    with pytest.raises(ValueError, match=r"question|needs|kind"):
        question_from_json(data)


def test_defaults_fill_missing_optional_fields():
    question = question_from_json(
        {
            "kind": "short_text",
            "name": "Hoofdstad",
            "text": "Hoofdstad van België?",
            "answers": [{"id": "1", "text": "Brussel"}],
        }
    )
    assert question == ShortTextQuestion(
        name="Hoofdstad", text="Hoofdstad van België?", answers=(TextAnswer("1", "Brussel"),)
    )
    assert SingleChoiceQuestion.kind == "single_choice"
