"""GIFT as Moodle writes it: format tags at every level, and $CATEGORY paths."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lms.quizzes import (
    Choice,
    MatchingQuestion,
    MatchPair,
    QuestionImportError,
    ShortTextQuestion,
    SingleChoiceQuestion,
    TextAnswer,
    TrueFalseQuestion,
    dump_gift,
    option_ids,
    parse_gift,
)
from lms.quizzes.formats.gift import category_names, gift_categories

# As a Moodle export writes it: a comment per question, the category with its context and
# "top", tab-indented answers, and a format tag wherever a text's format differs.
MOODLE_EXPORT = """\
// question: 0  name: Switch category to $course$/top/Default for Opleiding/Quarantaine
$CATEGORY: $course$/top/Default for Opleiding/Quarantaine


// question: 1021  name: Duur quarantaine
::Duur quarantaine::[markdown]Hoelang duurt de quarantaine van een **hoogrisicocontact**?{
\t=10 dagen#[plain]Juist\\: 10 dagen na het laatste contact.
\t~[plain]5 dagen#Te kort.
\t~%-50%[moodle]Geen quarantaine#[markdown]*Fout*\\: een hoogrisicocontact blijft thuis.
\t####[markdown]Zie **de richtlijn** van het agentschap.
}

// question: 1022  name: Hoofdstad
::Hoofdstad::[markdown]Wat is de hoofdstad van België?{
\t=%100%[plain]Brussel#[markdown]**Juist**
\t=%50%[moodle]Bruxelles#[plain]Ook goed, in het Frans.
}

// question: 1023  name: Veertien
::Veertien::[markdown]Hoeveel dagen telt de termijn?{#
\t=%100%[plain]14:0#[markdown]Veertien *dagen*.
\t=%50%13..15#[plain]Bijna.
\t####[plain]De termijn telt vanaf het laatste contact.
}

// question: 1024  name: Thuiswerk
::Thuiswerk::[markdown]Een hoogrisicocontact mag thuis werken.{
\tTRUE#[plain]Fout.#[markdown]**Juist**.
}

// question: 1025  name: Begrippen
::Begrippen::[markdown]Verbind elk begrip met zijn betekenis.{
\t=[markdown]**PCR** -> Een test
\t=[plain]Index -> [plain]De besmette persoon
\t= -> Een vaccin
}
"""


def test_format_tags_of_a_moodle_export_are_not_part_of_the_texts():
    duration, capital, number, homework, terms = parse_gift(MOODLE_EXPORT)

    assert duration.text == "Hoelang duurt de quarantaine van een **hoogrisicocontact**?"
    assert [(o.text, o.fraction, o.feedback) for o in duration.options] == [
        ("10 dagen", Decimal(1), "Juist: 10 dagen na het laatste contact."),
        ("5 dagen", Decimal(0), "Te kort."),
        ("Geen quarantaine", Decimal("-0.5"), "*Fout*: een hoogrisicocontact blijft thuis."),
    ]
    assert duration.general_feedback == "Zie **de richtlijn** van het agentschap."
    assert [(a.text, a.feedback) for a in capital.answers] == [
        ("Brussel", "**Juist**"),
        ("Bruxelles", "Ook goed, in het Frans."),
    ]
    assert [a.feedback for a in number.answers] == ["Veertien *dagen*.", "Bijna."]
    assert number.answers[0].value == Decimal(14)
    assert number.general_feedback == "De termijn telt vanaf het laatste contact."
    assert (homework.answer, homework.feedback_true, homework.feedback_false) == (
        True,
        "**Juist**.",
        "Fout.",
    )
    # Moodle reads a format tag on the item of a pair, never on what it matches.
    assert [(p.prompt, p.answer) for p in terms.pairs] == [
        ("**PCR**", "Een test"),
        ("Index", "[plain]De besmette persoon"),
    ]


def test_a_tag_is_a_tag_only_at_the_start_and_only_if_moodle_knows_it():
    (question,) = parse_gift("::x::Vraag{=10 [plain] dagen#zie [html] ~[wiki]5 dagen}")
    assert [(o.text, o.feedback) for o in question.options] == [
        ("10 [plain] dagen", "zie [html]"),
        ("[wiki]5 dagen", ""),
    ]


def problems_of(text):
    with pytest.raises(QuestionImportError) as caught:
        parse_gift(text)
    return [(problem.line, problem.code) for problem in caught.value.problems]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("::x::[html]<p>Vraag</p>{T}", 1),
        ("::x::Vraag{\n=[html]<b>ja</b>\n~nee\n}", 2),
        ("::x::Vraag{\n=ja\n~nee#[html]<i>fout</i>\n}", 3),
        ("::x::Vraag{\n=ja\n~nee\n####[HTML]<p>Zie de richtlijn.</p>\n}", 4),
        ("::x::Vraag{\n=[html]Brussel\n=%50%Bruxelles\n}", 2),
        ("::x::Vraag{#\n=14#[html]<b>goed</b>\n}", 2),
        ("::x::Vraag{T#fout\n#[html]<b>juist</b>}", 2),
        ("::x::Vraag{\n=a -> 1\n=[html]<b>b</b> -> 2\n}", 3),
    ],
    ids=[
        "question text",
        "option",
        "option feedback",
        "general feedback",
        "short answer",
        "numeric feedback",
        "true/false feedback",
        "matching item",
    ],
)
def test_html_is_refused_wherever_it_stands_with_its_line(text, line):
    assert problems_of(text) == [(line, "html-not-supported")]


def test_every_html_text_of_a_file_is_reported():
    text = (
        "::a::Vraag{\n"
        "=[html]<b>ja</b>#[html]<i>goed</i>\n"
        "~nee\n"
        "####[html]<p>Algemeen</p>\n"
        "}\n"
        "\n"
        "::b::Juist?{F#[html]<b>nee</b>}\n"
    )
    assert problems_of(text) == [(2, "html-not-supported")] * 2 + [
        (4, "html-not-supported"),
        (7, "html-not-supported"),
    ]


def test_texts_that_start_like_a_tag_come_back_unchanged():
    texts = ["[html] is een opmaaktaal", "[plain]tekst", "Gewoon"]
    options = tuple(
        Choice(option_id, text, Decimal(1 if text == "Gewoon" else 0), "[markdown]uitleg")
        for option_id, text in zip(option_ids(texts), texts, strict=True)
    )
    questions = [
        SingleChoiceQuestion(
            name="Tags", text="[plain]Welke?", options=options, general_feedback="[moodle]x"
        ),
        ShortTextQuestion(name="Kort", text="Wat?", answers=(TextAnswer("1", "[HTML]a"),)),
        TrueFalseQuestion(name="Juist", text="Ja?", answer=False, feedback_true="[html]b"),
        MatchingQuestion(
            name="Paren",
            text="Verbind.",
            pairs=tuple(
                map(MatchPair, option_ids(["[plain]a", "c"]), ["[plain]a", "c"], ["[html]b", "d"])
            ),
        ),
    ]

    text = dump_gift(questions)

    assert "~[markdown][html] is een opmaaktaal#[markdown][markdown]uitleg" in text
    assert "####[markdown][moodle]x" in text
    assert "=[markdown][plain]a -> [html]b" in text
    assert parse_gift(text) == questions


@pytest.mark.parametrize(
    ("path", "names"),
    [
        (
            "$course$/top/Default for Opleiding/Quarantaine",
            ["Default for Opleiding", "Quarantaine"],
        ),
        ("$system$/top/Examen", ["Examen"]),
        ("Opleiding/Quarantaine", ["Opleiding", "Quarantaine"]),
        ("top/Opleiding", ["Opleiding"]),
        ("$course$/Top/Quarantaine", ["Top", "Quarantaine"]),
        ("$module$/top/Vragen 1//2", ["Vragen 1/2"]),
        (" Opleiding / Quarantaine ", ["Opleiding", "Quarantaine"]),
        ("$course$/top", []),
        ("", []),
        ("Opleiding//", ["Opleiding/"]),
        ("/Opleiding", ["", "Opleiding"]),
    ],
)
def test_category_paths_are_read_as_moodle_reads_them(path, names):
    assert category_names(path) == names


def test_category_lines_are_listed_with_their_line_numbers():
    assert gift_categories(MOODLE_EXPORT) == [(2, "$course$/top/Default for Opleiding/Quarantaine")]
    text = "::x::Vraag{T}\n$CATEGORY: a\n::y::Vraag{T}\n\n// b\n$CATEGORY:\n::z::Vraag{T}\n"
    assert gift_categories(text) == [(2, "a"), (6, None)]
    assert [q.category for q in parse_gift(text)] == [None, "a", None]
