"""Question types and grading: exact fractions, invalid responses, and what learners see."""

from __future__ import annotations

import json
import random
from decimal import Decimal
from fractions import Fraction as F

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.quizzes import (
    Choice,
    MatchingQuestion,
    MatchPair,
    MultipleChoiceQuestion,
    NumericAnswer,
    NumericQuestion,
    NumericRange,
    Scoring,
    ShortTextQuestion,
    SingleChoiceQuestion,
    TextAnswer,
    TrueFalseQuestion,
    feedback_texts,
    grade,
    parse_number,
)
from lms.quizzes.questions.grading import option_weights

PROPERTIES = settings(
    database=None,
    derandomize=True,
    max_examples=200,
    deadline=1000,
    suppress_health_check=[HealthCheck.too_slow],
)


def seeded(seed):
    """A seeded generator for shuffling options: repeatable, not secret."""
    return random.Random(seed)  # noqa: S311


D = Decimal
SECRET = "GEHEIM"


def single_choice(**kw):
    kw.setdefault("name", f"{SECRET}-titel quarantaine")
    kw.setdefault("text", "Hoelang duurt de quarantaine van een hoogrisicocontact?")
    kw.setdefault("general_feedback", f"{SECRET}-algemeen")
    kw.setdefault(
        "options",
        (
            Choice("a", "10 dagen", D(1), f"{SECRET}-juist"),
            Choice("b", "7 dagen", D("0.5"), f"{SECRET}-bijna"),
            Choice("c", "5 dagen"),
            Choice("d", "Geen quarantaine", D("-0.5")),
        ),
    )
    return SingleChoiceQuestion(**kw)


def multiple_choice(**kw):
    kw.setdefault("name", "symptomen")
    kw.setdefault("text", "Welke zijn symptomen?")
    kw.setdefault(
        "options",
        (
            Choice("r1", "Koorts", D("0.5"), f"{SECRET}-koorts"),
            Choice("r2", "Hoest", D("0.5")),
            Choice("w1", "Jeuk"),
            Choice("w2", "Groene huid", D(-1), f"{SECRET}-groen"),
        ),
    )
    return MultipleChoiceQuestion(**kw)


def thirds(**kw):
    third = D("0.3333333")
    options = (
        Choice("a", "Koorts", third),
        Choice("b", "Hoest", third),
        Choice("c", "Keelpijn", third),
        Choice("w", "Jeuk"),
    )
    return multiple_choice(options=options, **kw)


def true_false(**kw):
    kw.setdefault("name", "laagrisico")
    kw.setdefault("text", "Een hoogrisicocontact gaat in quarantaine.")
    kw.setdefault("answer", True)
    kw.setdefault("feedback_true", f"{SECRET}-ja")
    kw.setdefault("feedback_false", "")
    return TrueFalseQuestion(**kw)


def numeric(**kw):
    kw.setdefault("name", "incubatie")
    kw.setdefault("text", "Hoeveel dagen duurt de incubatieperiode maximaal?")
    kw.setdefault(
        "answers",
        (
            NumericAnswer("1", D("14.25"), D("0.25"), D(1), f"{SECRET}-goed"),
            NumericRange("2", D("10.5"), D("13.5"), D("0.5")),
        ),
    )
    return NumericQuestion(**kw)


def short_text(**kw):
    kw.setdefault("name", "hoofdstad")
    kw.setdefault("text", "De hoofdstad van België is _____.")
    kw.setdefault(
        "answers",
        (
            TextAnswer("1", "Brussel"),
            TextAnswer("2", "Bruxelles", D(1), f"{SECRET}-frans"),
            TextAnswer("3", "Brussels", D("0.5")),
        ),
    )
    return ShortTextQuestion(**kw)


def matching(**kw):
    kw.setdefault("name", "begrippen")
    kw.setdefault("text", "Koppel elk begrip aan zijn betekenis.")
    kw.setdefault(
        "pairs",
        (
            MatchPair("p1", "PCR", "Test"),
            MatchPair("p2", "Index", "Besmette persoon"),
            MatchPair("p3", "Antigeen", "Test"),
        ),
    )
    kw.setdefault("distractors", ("Hond",))
    return MatchingQuestion(**kw)


@pytest.mark.parametrize(
    ("response", "fraction", "score", "correct", "invalid"),
    [
        ("a", F(1), D("1.00"), True, False),
        ("b", F(1, 2), D("0.50"), None, False),
        ("c", F(0), D("0.00"), False, False),
        ("d", F(0), D("0.00"), False, False),  # negative credit stops at 0
        (None, F(0), D("0.00"), False, False),
        ("", F(0), D("0.00"), False, False),
        ("zz", F(0), D("0.00"), False, True),
        (["a"], F(0), D("0.00"), False, True),
        (1, F(0), D("0.00"), False, True),
    ],
)
def test_single_choice(response, fraction, score, correct, invalid):
    result = grade(single_choice(), response)
    assert (result.fraction, result.score, result.correct, result.invalid) == (
        fraction,
        score,
        correct,
        invalid,
    )


def test_single_choice_parts_and_feedback():
    question = single_choice()
    result = grade(question, "b")
    assert result.parts == {"b": None}
    assert result.feedback_ids == ("b",)
    assert feedback_texts(question, result) == [f"{SECRET}-bijna"]
    assert grade(question, "c").feedback_ids == ()


@pytest.mark.parametrize(
    ("scoring", "response", "fraction"),
    [
        (Scoring.PARTIAL, ["r1", "r2"], F(1)),
        (Scoring.PARTIAL, ["r2", "r1"], F(1)),
        (Scoring.PARTIAL, ["r1"], F(1, 2)),
        (Scoring.PARTIAL, ["r1", "r1"], F(1, 2)),
        (Scoring.PARTIAL, ["r1", "r2", "w1"], F(1, 2)),  # unweighted wrong: -1/2
        (Scoring.PARTIAL, ["r1", "w1"], F(0)),
        (Scoring.PARTIAL, ["r1", "r2", "w2"], F(0)),  # its own -100%
        (Scoring.PARTIAL, ["w1", "w2"], F(0)),  # floor 0
        (Scoring.PARTIAL, ["r1", "r2", "w1", "w2"], F(0)),
        (Scoring.PARTIAL, [], F(0)),
        (Scoring.PARTIAL, None, F(0)),
        (Scoring.ALL_OR_NOTHING, ["r1", "r2"], F(1)),
        (Scoring.ALL_OR_NOTHING, ["r1"], F(0)),
        (Scoring.ALL_OR_NOTHING, ["r1", "r2", "w1"], F(0)),
        (Scoring.ALL_OR_NOTHING, [], F(0)),
    ],
)
def test_multiple_choice(scoring, response, fraction):
    result = grade(multiple_choice(scoring=scoring), response)
    assert result.fraction == fraction
    assert not result.invalid


@pytest.mark.parametrize(
    ("response", "fraction", "score"),
    [
        (["a", "b", "c"], F(1), D("2.00")),  # 3 × 33.33333% counts as exactly 100%
        (["a", "b"], F(2, 3), D("1.33")),
        (["a"], F(1, 3), D("0.67")),
        (["a", "b", "w"], F(1, 3), D("0.67")),
        (["a", "b", "c", "w"], F(2, 3), D("1.33")),
    ],
)
def test_multiple_choice_thirds_are_exact(response, fraction, score):
    result = grade(thirds(mark=D(2)), response)
    assert (result.fraction, result.score) == (fraction, score)


def test_partial_weights():
    assert option_weights(multiple_choice()) == {
        "r1": F(1, 2),
        "r2": F(1, 2),
        "w1": F(-1, 2),
        "w2": F(-1),
    }


def test_multiple_choice_parts_and_feedback():
    question = multiple_choice()
    result = grade(question, ["r1", "w2"])
    assert result.parts == {"r1": True, "r2": None, "w1": None, "w2": False}
    assert feedback_texts(question, result) == [f"{SECRET}-koorts", f"{SECRET}-groen"]
    assert result.correct is False


@pytest.mark.parametrize("response", ["r1", ["nope"], [1], {"r1": True}, [["r1"]], 3])
def test_multiple_choice_invalid(response):
    result = grade(multiple_choice(), response)
    assert result.invalid
    assert result.fraction == 0


@pytest.mark.parametrize(
    ("answer", "response", "fraction", "invalid"),
    [
        (True, True, F(1), False),
        (True, "true", F(1), False),
        (True, False, F(0), False),
        (True, "false", F(0), False),
        (False, False, F(1), False),
        (False, "false", F(1), False),
        (True, None, F(0), False),
        (True, "yes", F(0), True),
        (True, 1, F(0), True),
        (True, ["true"], F(0), True),
    ],
)
def test_true_false(answer, response, fraction, invalid):
    result = grade(true_false(answer=answer), response)
    assert (result.fraction, result.invalid) == (fraction, invalid)


def test_true_false_feedback_follows_the_learners_answer():
    question = true_false()
    assert feedback_texts(question, grade(question, True)) == [f"{SECRET}-ja"]
    assert grade(question, False).feedback_ids == ()  # no feedback written for "false"


@pytest.mark.parametrize(
    ("response", "fraction", "invalid"),
    [
        ("14.25", F(1), False),
        ("14,25", F(1), False),
        (" 14,5 ", F(1), False),  # tolerance bounds are included
        ("14", F(1), False),
        ("14.51", F(0), False),
        ("13.99", F(0), False),
        ("13.5", F(1, 2), False),
        ("10,5", F(1, 2), False),
        ("10.49", F(0), False),
        ("+12", F(1, 2), False),
        ("\N{MINUS SIGN}12", F(0), False),
        (".5", F(0), False),
        (14, F(1), False),
        (14.25, F(1), False),
        ("", F(0), False),
        (None, F(0), False),
        ("abc", F(0), True),
        ("1e3", F(0), True),
        ("14.0.0", F(0), True),
        ("1.000,5", F(0), True),
        ("14 dagen", F(0), True),
        ("9" * 41, F(0), True),
        (10**400, F(0), True),
        (float("nan"), F(0), True),
        (True, F(0), True),
        (["14"], F(0), True),
    ],
)
def test_numeric(response, fraction, invalid):
    result = grade(numeric(), response)
    assert (result.fraction, result.invalid) == (fraction, invalid)


def test_numeric_takes_the_most_generous_answer_and_its_feedback():
    question = numeric(
        answers=(
            NumericRange("1", D(0), D(100), D("0.25")),
            NumericAnswer("2", D("3.14"), D("0.01"), D(1), "goed"),
        )
    )
    result = grade(question, "3,15")
    assert (result.fraction, result.feedback_ids) == (F(1), ("2",))
    assert grade(question, "3.16").fraction == F(1, 4)


@pytest.mark.parametrize(
    ("text", "number"),
    [("3,14", D("3.14")), ("-0.5", D("-0.5")), ("5.", D(5)), (" 7 ", D(7)), ("1e5", None)],
)
def test_parse_number(text, number):
    assert parse_number(text) == number


@pytest.mark.parametrize(
    ("flags", "response", "fraction", "invalid"),
    [
        ({}, "Brussel", F(1), False),
        ({}, "  brussel ", F(1), False),
        ({}, "BRUSSEL", F(1), False),
        ({}, "Brussels", F(1, 2), False),
        ({}, "Antwerpen", F(0), False),
        ({}, "Brus sel", F(0), False),
        ({}, "", F(0), False),
        ({}, 42, F(0), True),
        ({"ignore_case": False}, "brussel", F(0), False),
        ({"ignore_case": False}, "Brussel", F(1), False),
    ],
)
def test_short_text(flags, response, fraction, invalid):
    result = grade(short_text(**flags), response)
    assert (result.fraction, result.invalid) == (fraction, invalid)


@pytest.mark.parametrize(
    ("flags", "response", "fraction"),
    [
        ({}, "een  en een HALVE\tmeter", F(0)),
        ({}, "één en één halve meter", F(1)),
        ({}, "e\u0301e\u0301n en één halve meter", F(1)),  # decomposed accents: NFC first
        ({"ignore_accents": True}, "een  en een HALVE\tmeter", F(1)),
        ({"ignore_accents": True, "ignore_case": False}, "een en een HALVE meter", F(0)),
    ],
)
def test_short_text_accents_case_and_whitespace(flags, response, fraction):
    question = short_text(answers=(TextAnswer("1", "Één en één halve meter"),), **flags)
    assert grade(question, response).fraction == fraction


@pytest.mark.parametrize(
    ("response", "fraction", "parts"),
    [
        ({"p1": "Test", "p2": "Besmette persoon", "p3": "Test"}, F(1), [True, True, True]),
        ({"p1": "Test", "p2": "Besmette persoon", "p3": "Hond"}, F(2, 3), [True, True, False]),
        ({"p1": "Test"}, F(1, 3), [True, None, None]),
        ({"p1": "Hond", "p2": None}, F(0), [False, None, None]),
        ({}, F(0), [None, None, None]),
        (None, F(0), [None, None, None]),
    ],
)
def test_matching(response, fraction, parts):
    result = grade(matching(), response)
    assert result.fraction == fraction
    assert list(result.parts.values()) == parts
    assert not result.invalid


@pytest.mark.parametrize(
    "response", [{"p1": "Kat"}, {"p9": "Test"}, {"p1": 5}, {"p1": ["Test"]}, ["Test"], "Test"]
)
def test_matching_invalid(response):
    result = grade(matching(), response)
    assert (result.fraction, result.invalid) == (F(0), True)


@pytest.mark.parametrize(
    ("mark", "response", "score"),
    [
        (D("0.25"), "b", D("0.13")),  # 0.125 rounds half up, not to even
        (D("0.01"), "b", D("0.01")),
        (D(3), "b", D("1.50")),
        (D(0), "a", D("0.00")),
    ],
)
def test_score_is_rounded_half_up_to_cents(mark, response, score):
    assert grade(single_choice(mark=mark), response).score == score


def test_unknown_question_type_is_a_programming_error():
    with pytest.raises(TypeError):
        grade(object(), "a")


def test_definitions_refuse_impossible_questions():
    with pytest.raises(ValueError, match="100%"):
        single_choice(options=(Choice("a", "x", D("0.5")), Choice("b", "y")))
    with pytest.raises(ValueError, match="unique"):
        single_choice(options=(Choice("a", "x", D(1)), Choice("a", "y")))
    with pytest.raises(ValueError, match="right option"):
        multiple_choice(options=(Choice("a", "x"), Choice("b", "y", D(-1))))
    with pytest.raises(ValueError, match="negative"):
        numeric(answers=(NumericAnswer("1", D(1), D(-1)),))
    with pytest.raises(ValueError, match="minimum"):
        numeric(answers=(NumericRange("1", D(2), D(1)),))


ALL_QUESTIONS = [single_choice, multiple_choice, true_false, numeric, short_text, matching]
ALLOWED_KEYS = {"type", "text", "mark", "options", "id", "prompts", "targets"}


def keys_of(value):
    if isinstance(value, dict):
        return set(value) | set().union(*(keys_of(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(set(), *(keys_of(v) for v in value))
    return set()


@pytest.mark.parametrize("factory", ALL_QUESTIONS)
@pytest.mark.parametrize("rng", [None, seeded(7)])
def test_public_view_never_leaks(factory, rng):
    view = factory().public_view(rng)
    serialized = json.dumps(view, ensure_ascii=False)
    assert keys_of(json.loads(serialized)) <= ALLOWED_KEYS
    for leak in ["fraction", "feedback", "correct", "answer", "accept", "tolerance", SECRET]:
        assert leak not in serialized
    for secret in ["14.25", "13.5", "Brussel", "Bruxelles", "0.5", "-1"]:
        assert secret not in serialized


def test_public_view_shows_what_learners_need():
    view = single_choice().public_view()
    assert view["type"] == "single_choice"
    assert view["mark"] == "1"
    assert {option["text"] for option in view["options"]} == {
        "10 dagen",
        "7 dagen",
        "5 dagen",
        "Geen quarantaine",
    }
    assert matching().public_view()["prompts"] == [
        {"id": "p1", "text": "PCR"},
        {"id": "p2", "text": "Index"},
        {"id": "p3", "text": "Antigeen"},
    ]


def order(view):
    return [option["id"] for option in view["options"]]


def test_shuffling_is_deterministic_per_seed():
    question = single_choice()
    orders = {tuple(order(question.public_view(seeded(seed)))) for seed in range(20)}
    assert len(orders) > 1
    for seed in range(5):
        first = question.public_view(seeded(seed))
        assert question.public_view(seeded(seed)) == first


def test_without_rng_options_are_ordered_by_id_not_by_author():
    assert order(single_choice(options=_options("dcba")).public_view()) == list("abcd")


def test_unshuffled_options_keep_the_authors_order():
    question = single_choice(options=_options("dcba"), shuffle=False)
    assert order(question.public_view(seeded(3))) == list("dcba")


def _options(ids):
    return tuple(Choice(i, f"optie {i}", D(1) if i == "a" else D(0)) for i in ids)


def test_matching_targets_are_never_in_pair_order():
    question = matching(
        pairs=tuple(MatchPair(f"p{i}", f"prompt {i}", f"target {9 - i}") for i in range(5)),
        distractors=(),
    )
    assert question.public_view()["targets"] == [f"target {i}" for i in range(5, 10)]
    shuffled = {tuple(question.public_view(seeded(s))["targets"]) for s in range(10)}
    assert len(shuffled) > 1
    assert question.public_view(seeded(4)) == question.public_view(seeded(4))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=10,
)


@PROPERTIES
@given(st.sampled_from(ALL_QUESTIONS), JSON | st.sampled_from(["a", "r1", "p1", "14"]))
def test_grading_never_raises_and_stays_between_0_and_1(factory, response):
    question = factory(mark=D(2))
    result = grade(question, response)
    assert 0 <= result.fraction <= 1
    assert D(0) <= result.score <= D(2)
    assert not (result.invalid and result.fraction)
