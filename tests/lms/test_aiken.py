"""Aiken import: single-choice questions, and every problem by line and code."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lms.quizzes import QuestionImportError, SingleChoiceQuestion, grade, option_ids, parse_aiken

TRAINING = """\
Hoelang duurt de quarantaine van een hoogrisicocontact?
A. 5 dagen
B. 10 dagen
C. 14 dagen
ANSWER: B

Wat vraag je eerst
aan de telefoon?
A) De naam van de persoon
B) Het testresultaat
ANSWER: a
Welke test toont een actieve besmetting aan?
A. PCR-test
B. Antistoffentest
ANSWER:C
"""


def test_a_training_file():
    with pytest.raises(QuestionImportError) as caught:
        parse_aiken(TRAINING)
    assert [(p.line, p.code) for p in caught.value.problems] == [(15, "unknown-answer")]

    duration, call = parse_aiken(TRAINING.replace("ANSWER:C", "ANSWER: A"))[:2]
    assert isinstance(duration, SingleChoiceQuestion)
    assert duration.text == "Hoelang duurt de quarantaine van een hoogrisicocontact?"
    assert duration.name == "Hoelang duurt de quarantaine van een hoo"
    assert [(o.text, o.fraction) for o in duration.options] == [
        ("5 dagen", 0),
        ("10 dagen", 1),
        ("14 dagen", 0),
    ]
    assert [o.id for o in duration.options] == list(option_ids(["5 dagen", "10 dagen", "14 dagen"]))
    assert grade(duration, duration.options[1].id).correct is True
    assert call.text == "Wat vraag je eerst\naan de telefoon?"
    assert [o.fraction for o in call.options] == [Decimal(1), Decimal(0)]


def test_windows_line_ends_and_a_byte_order_mark():
    (question,) = parse_aiken("\ufeffVraag?\r\nA. ja\r\nB. nee\r\nANSWER: B\r\n")
    assert [o.fraction for o in question.options] == [0, 1]


def test_public_view_hides_the_answer():
    (question,) = parse_aiken("Vraag?\nA. ja\nB. nee\nANSWER: B\n")
    assert "fraction" not in str(question.public_view())


def problems_of(text):
    with pytest.raises(QuestionImportError) as caught:
        parse_aiken(text)
    return [(problem.line, problem.code) for problem in caught.value.problems]


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("Vraag?\nA. ja\nB. nee\n", [(1, "missing-answer")]),
        ("Vraag?\nA. ja\nB. nee\nVolgende vraag?\nA. x\nB. y\nANSWER: A", [(1, "missing-answer")]),
        ("Vraag?\nA. ja\nB. nee\nANSWER: C", [(4, "unknown-answer")]),
        ("Vraag?\nA. ja\nB. nee\nANSWER: AB", [(4, "unknown-answer")]),
        ("Vraag?\nA. ja\nB. nee\nANSWER:", [(4, "unknown-answer")]),
        ("Vraag?\nA. ja\nANSWER: A", [(1, "too-few-options")]),
        ("Vraag?\nANSWER: A", [(1, "too-few-options"), (2, "unknown-answer")]),
        ("Vraag?\nA. ja\nA. nee\nB. soms\nANSWER: A", [(3, "duplicate-letter")]),
        ("Vraag?\nA. ja\nB.\nANSWER: A", [(3, "empty-option")]),
        ("A. ja\nB. nee\nANSWER: A", [(1, "missing-question")]),
        ("ANSWER: A", [(1, "missing-question")]),
    ],
)
def test_problems(text, problems):
    assert problems_of(text) == problems


def test_every_problem_is_reported_and_nothing_is_imported():
    text = (
        "Goede vraag?\nA. ja\nB. nee\nANSWER: A\n\n"
        "Dubbel?\nA. ja\nA. nee\nB. soms\nANSWER: A\n\n"
        "Geen antwoord?\nA. ja\nB. nee\n\n"
        "Fout antwoord?\nA. ja\nB. nee\nANSWER: D\n"
    )
    assert problems_of(text) == [
        (8, "duplicate-letter"),
        (12, "missing-answer"),
        (19, "unknown-answer"),
    ]


def test_messages_are_translatable_strings(app):
    with pytest.raises(QuestionImportError) as caught:
        parse_aiken("Vraag?\nA. ja\nB. nee\nANSWER: Q")
    assert str(caught.value.problems[0].message) == "The answer Q is not among the options."
