"""GIFT import and export: a realistic file, every problem by line and code, round trips."""

from __future__ import annotations

import json
import random
from decimal import Decimal
from fractions import Fraction

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
    QuestionImportError,
    ShortTextQuestion,
    SingleChoiceQuestion,
    TextAnswer,
    TrueFalseQuestion,
    dump_gift,
    grade,
    option_ids,
    parse_gift,
)
from lms.quizzes.formats.gift_syntax import escape, unescape

PROPERTIES = settings(
    database=None,
    derandomize=True,
    max_examples=150,
    deadline=2000,
    suppress_health_check=[HealthCheck.too_slow],
)


def seeded(seed):
    """A seeded generator for shuffling options: repeatable, not secret."""
    return random.Random(seed)  # noqa: S311


D = Decimal

TRAINING = r"""// Opleiding contactonderzoek — module quarantaine en isolatie.
// Lijnen die met // beginnen zijn commentaar.

$CATEGORY: $course$/Contactonderzoek/Quarantaine

::Duur quarantaine::[markdown]Hoelang duurt de quarantaine van een **hoogrisicocontact**?{
    =10 dagen#Juist: tien dagen na het laatste contact.
    ~%50%7 dagen#Bijna: dat was de vroegere regel.
    ~5 dagen#Te kort.
    ~Geen quarantaine#Fout.
    ####Zie de richtlijn van het agentschap.
}

::Symptomen::Welke klachten passen bij COVID-19? Kies alle juiste antwoorden.{
    ~%50%Koorts
    ~%50%Hoest
    ~%-100%Groene huid#Dit is geen symptoom.
    ~Jeuk aan de voeten
}

// Waar/onwaar met feedback bij fout en bij juist antwoord.
::Laagrisico::Een laagrisicocontact moet altijd in quarantaine.{FALSE
    #Nee, enkel hoogrisicocontacten.
    #Juist, een laagrisicocontact let op symptomen.}

::Mondmasker::Een mondmasker dragen verkleint het risico op besmetting.{T}

::Incubatie::Hoeveel dagen bedraagt de incubatieperiode hoogstens?{#14:1#Ongeveer twee weken.}

::Afstand::Hoeveel meter afstand geldt als veilig?{#1..2}

::Temperatuur::Vanaf welke temperatuur (in °C) spreken we van koorts?{#
    =38:0.1#Juist.
    =%50%37.5..37.9#Verhoogde temperatuur, nog geen koorts.
}

De hoofdstad van België, waar het callcenter staat, is {
    =Brussel
    =%50%Bruxelles#Gebruik de Nederlandse naam.
} en niet Antwerpen.

$CATEGORY: $course$/Contactonderzoek/Begrippen

::Begrippen::Koppel elk begrip aan zijn betekenis.{
    =Indexpatiënt -> De besmette persoon
    =Hoogrisicocontact -> Langer dan 15 minuten dichtbij
    =PCR -> Een test
    = -> Een vaccin
}

::Escapes::Wat betekent a\=b\~c in een formule met \{haakjes\} en een \#hekje\: niets?{
    =Niets bijzonders\~#Klopt\: dit zijn ontsnapte tekens.
    ~Een fout
}

::Gesprek::[plain]Meerregelige vraag:
wat zeg je eerst
aan de telefoon?{
    =Je naam en de reden van het gesprek
    ~Het testresultaat
}

::Thuiswerk::Een hoogrisicocontact mag thuis werken.{TRUE####Thuiswerk is toegelaten.}
"""


def test_a_realistic_training_file():
    questions = parse_gift(TRAINING)
    assert [type(q).__name__ for q in questions] == [
        "SingleChoiceQuestion",
        "MultipleChoiceQuestion",
        "TrueFalseQuestion",
        "TrueFalseQuestion",
        "NumericQuestion",
        "NumericQuestion",
        "NumericQuestion",
        "ShortTextQuestion",
        "MatchingQuestion",
        "SingleChoiceQuestion",
        "SingleChoiceQuestion",
        "TrueFalseQuestion",
    ]
    duration, symptoms, low_risk, mask, incubation, distance, fever = questions[:7]
    capital, terms, escapes, call, home_work = questions[7:]

    assert duration.name == "Duur quarantaine"
    assert duration.text == "Hoelang duurt de quarantaine van een **hoogrisicocontact**?"
    assert duration.category == "$course$/Contactonderzoek/Quarantaine"
    assert duration.general_feedback == "Zie de richtlijn van het agentschap."
    assert [(o.text, o.fraction, o.feedback) for o in duration.options] == [
        ("10 dagen", 1, "Juist: tien dagen na het laatste contact."),
        ("7 dagen", D("0.5"), "Bijna: dat was de vroegere regel."),
        ("5 dagen", 0, "Te kort."),
        ("Geen quarantaine", 0, "Fout."),
    ]
    assert [o.id for o in duration.options] == list(option_ids(o.text for o in duration.options))

    assert [o.fraction for o in symptoms.options] == [D("0.5"), D("0.5"), D(-1), 0]
    assert (low_risk.answer, low_risk.feedback_true, low_risk.feedback_false) == (
        False,
        "Nee, enkel hoogrisicocontacten.",
        "Juist, een laagrisicocontact let op symptomen.",
    )
    assert low_risk.name == "Laagrisico"
    assert (mask.answer, mask.feedback_true, mask.feedback_false) == (True, "", "")
    assert incubation.answers == (NumericAnswer("1", D(14), D(1), D(1), "Ongeveer twee weken."),)
    assert distance.answers == (NumericRange("1", D(1), D(2)),)
    assert fever.answers == (
        NumericAnswer("1", D(38), D("0.1"), D(1), "Juist."),
        NumericRange(
            "2", D("37.5"), D("37.9"), D("0.5"), "Verhoogde temperatuur, nog geen koorts."
        ),
    )

    assert capital.text == (
        "De hoofdstad van België, waar het callcenter staat, is _____ en niet Antwerpen."
    )
    assert capital.name == "De hoofdstad van België, waar het callce"
    assert [(a.text, a.fraction) for a in capital.answers] == [
        ("Brussel", 1),
        ("Bruxelles", D("0.5")),
    ]
    assert capital.answers[1].feedback == "Gebruik de Nederlandse naam."

    assert terms.category == "$course$/Contactonderzoek/Begrippen"
    assert [(p.prompt, p.answer) for p in terms.pairs] == [
        ("Indexpatiënt", "De besmette persoon"),
        ("Hoogrisicocontact", "Langer dan 15 minuten dichtbij"),
        ("PCR", "Een test"),
    ]
    assert terms.distractors == ("Een vaccin",)

    assert escapes.text == "Wat betekent a=b~c in een formule met {haakjes} en een #hekje: niets?"
    assert escapes.options[0].text == "Niets bijzonders~"
    assert escapes.options[0].feedback == "Klopt: dit zijn ontsnapte tekens."
    assert call.text == "Meerregelige vraag:\nwat zeg je eerst\naan de telefoon?"
    assert (home_work.answer, home_work.general_feedback) == (True, "Thuiswerk is toegelaten.")


def test_imported_questions_grade():
    duration, symptoms, low_risk, *_rest = parse_gift(TRAINING)
    right, almost = duration.options[0].id, duration.options[1].id
    assert grade(duration, right).fraction == 1
    assert grade(duration, almost).fraction == Fraction(1, 2)
    fever, capital, terms = parse_gift(TRAINING)[6:9]
    assert grade(fever, "38,05").fraction == 1
    assert grade(fever, "37.6").fraction == Fraction(1, 2)
    assert grade(capital, " brussel ").fraction == 1
    assert grade(low_risk, "false").correct is True
    koorts, hoest, groen, jeuk = (o.id for o in symptoms.options)
    assert grade(symptoms, [koorts, hoest]).fraction == 1
    assert grade(symptoms, [koorts, hoest, jeuk]).fraction == Fraction(1, 2)
    assert grade(symptoms, [koorts, groen]).fraction == 0
    answers = {pair.id: pair.answer for pair in terms.pairs}
    assert grade(terms, answers).fraction == 1


def test_the_training_file_never_leaks_through_public_view():
    for question in parse_gift(TRAINING):
        serialized = json.dumps(question.public_view(seeded(1)), ensure_ascii=False)
        secrets = ["fraction", "feedback", "Juist", "Brussel", "Ongeveer", "37.5", "toegelaten"]
        if question.name not in question.text:  # untitled questions are named after their text
            secrets.append(question.name)
        for word in secrets:
            assert word not in serialized


def test_the_training_file_round_trips():
    questions = parse_gift(TRAINING)
    assert parse_gift(dump_gift(questions)) == questions


def test_dump_is_readable_gift():
    duration = parse_gift(TRAINING)[0]
    assert dump_gift([duration]) == (
        "$CATEGORY: $course$/Contactonderzoek/Quarantaine\n\n"
        "::Duur quarantaine::[markdown]Hoelang duurt de quarantaine van een "
        "**hoogrisicocontact**? {\n"
        "\t=10 dagen#Juist: tien dagen na het laatste contact.\n"
        "\t~%50%7 dagen#Bijna: dat was de vroegere regel.\n"
        "\t~5 dagen#Te kort.\n"
        "\t~Geen quarantaine#Fout.\n"
        "\t####Zie de richtlijn van het agentschap.\n"
        "}\n"
    )


def test_untitled_question_gets_a_name_from_its_text():
    (question,) = parse_gift("Een index   mag\nnaar buiten.{F}")
    assert (question.name, question.text) == (
        "Een index mag naar buiten.",
        "Een index   mag\nnaar buiten.",
    )


def test_windows_line_ends_bom_and_empty_category_are_read():
    text = "\ufeff$CATEGORY: a\r\n\r\n::x::Vraag{T}\r\n\r\n$CATEGORY:\r\n::y::Vraag{T}\r\n"
    first, second = parse_gift(text)
    assert (first.category, second.category) == ("a", None)


def test_a_category_line_needs_no_blank_lines_around_it():
    text = "::x::Vraag{T}\n$CATEGORY: b\n::y::Vraag{T}\n// c\n$CATEGORY: c\n::z::Vraag{T}"
    assert [question.category for question in parse_gift(text)] == [None, "b", "c"]


def test_backslashes_that_escape_nothing_stay():
    (question,) = parse_gift(r"::x::Formule \(a+b\) in C:\\pad{T}")
    assert question.text == r"Formule \(a+b\) in C:\pad"


def problems_of(text):
    with pytest.raises(QuestionImportError) as caught:
        parse_gift(text)
    return [(problem.line, problem.code) for problem in caught.value.problems]


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("::Essay::Beschrijf je werkdag.{}", [(1, "unsupported-type")]),
        ("::Uitleg::Dit is enkel uitleg.", [(1, "unsupported-type")]),
        ("::x::[html]<p>Vraag</p>{T}", [(1, "html-not-supported")]),
        ("::x::[HTML]<p>Vraag</p>{T}", [(1, "html-not-supported")]),
        ("::Titel zonder einde{T}", [(1, "unclosed-title")]),
        ("::x::Vraag {\n=a\n~b\n", [(1, "unclosed-answers")]),
        ("::x::Vraag {=a ~b} en {=c ~d}", [(1, "stray-brace")]),
        ("::x::Vraag } {=a ~b}", [(1, "stray-brace")]),
        ("::x::Vraag {=a ~b}}", [(1, "stray-brace")]),
        ("::x::{=a ~b}", [(1, "missing-text")]),
        ("::x::Vraag{\n=a\n~b\n~\n}", [(4, "empty-answer")]),
        ("::x::Vraag{\n=a\n~%150%b\n}", [(3, "bad-weight")]),
        ("::x::Vraag{~%100%a}", [(1, "too-few-options")]),
        ("::x::Vraag{\n~%50%a\n~b\n}", [(2, "weights-not-100")]),
        ("::x::Vraag{\n~%50%a\n~%60%b\n}", [(2, "weights-not-100")]),
        ("::x::Vraag{\nzin\n=a\n~b\n}", [(2, "text-before-answers")]),
        ("::x::Vraag{\n=%50%a\n~b\n}", [(2, "no-full-credit")]),
        ("::x::Vraag{=%50%a =%20%b}", [(1, "no-full-credit")]),
        ("::x::Vraag{#abc}", [(1, "bad-number")]),
        ("::x::Vraag{#3:-1}", [(1, "bad-number")]),
        ("::x::Vraag{#5..1}", [(1, "bad-range")]),
        ("::x::Vraag{#\n=3\n=%50%x..4\n}", [(3, "bad-number")]),
        ("::x::Vraag{#=%50%3}", [(1, "no-full-credit")]),
        ("::x::Vraag{#3 ~#Fout}", [(1, "unsupported-feature")]),
        ("::x::Vraag{\n=a -> b\n=c\n}", [(3, "missing-arrow")]),
        ("::x::Vraag{=a -> b}", [(1, "too-few-pairs")]),
        ("::x::Vraag{=a -> b#fb =c -> d}", [(1, "unsupported-feature")]),
        ("::x::Vraag{=a -> b =c -> }", [(1, "empty-answer")]),
        ("::x::Vraag{misschien}", [(1, "unknown-answers")]),
        ("::x::Vraag{T#a#b#c}", [(1, "too-many-feedbacks")]),
    ],
)
def test_problems(text, problems):
    assert problems_of(text) == problems


def test_every_problem_is_reported_and_nothing_is_imported():
    text = (
        "// commentaar\n"
        "::Goed::Een goede vraag.{T}\n"
        "\n"
        "::Essay::Schrijf.{}\n"
        "\n"
        "::Html::[html]<b>x</b>{T}\n"
        "\n"
        "::Getal::Hoeveel?{\n"
        "// commentaar binnen een vraag telt mee voor de lijnnummers\n"
        "    #veertien\n"
        "}\n"
    )
    assert problems_of(text) == [
        (4, "unsupported-type"),
        (6, "html-not-supported"),
        (10, "bad-number"),
    ]


def test_problems_explain_themselves_in_the_site_language(app):
    with pytest.raises(QuestionImportError) as caught:
        parse_gift("::x::[html]<b>x</b>{T}\n\n::y::Vraag{#3..1}")
    messages = [str(problem.message) for problem in caught.value.problems]
    assert "Markdown" in messages[0]
    assert "minimum" in messages[1]
    assert str(caught.value.problems[1]).startswith("3: ")
    assert "line 1: html-not-supported" in str(caught.value)


def test_unwritable_texts_are_refused():
    short = ShortTextQuestion(name="x", text="y", answers=(TextAnswer("1", "a -> b"),))
    with pytest.raises(ValueError, match="->"):
        dump_gift([short])
    pairs = (MatchPair("1", "a -> b", "c"), MatchPair("2", "d", "e"))
    with pytest.raises(ValueError, match="->"):
        dump_gift([MatchingQuestion(name="x", text="y", pairs=pairs)])
    with pytest.raises(ValueError, match="category"):
        dump_gift(
            [
                ShortTextQuestion(
                    name="x", text="y", answers=(TextAnswer("1", "a"),), category="a\nb"
                )
            ]
        )


# Characters GIFT must escape, or that sit near its syntax, plus any other printable text.
AWKWARD = [*"~=#{}:\\%->[]$/_ \t\nTF0159.,", "::", "->", "####", "\\n", "$CATEGORY:"]
AWKWARD += ["[html]", "[markdown]", "[plain]", "[Moodle]", "[HTML]"]  # Moodle's format tags
CHARS = st.sampled_from(AWKWARD) | st.characters(exclude_categories=("Cs", "Cc"))
TEXT = st.lists(CHARS, min_size=1, max_size=8).map("".join).map(str.strip).filter(bool)
NO_ARROW = TEXT.filter(lambda text: "->" not in text)
FEEDBACK = st.just("") | TEXT
PERCENTS = ["1", "0.5", "0.25", "0.3333333", "0", "-0.5", "-1"]
NUMBER = st.decimals(min_value=-(10**6), max_value=10**6, places=3)


@st.composite
def common(draw):
    return {
        "name": draw(TEXT),
        "text": draw(TEXT),
        "general_feedback": draw(FEEDBACK),
        "category": draw(st.none() | st.sampled_from(["opleiding", "$course$/Top/Quarantaine"])),
    }


def choices(texts_and_fractions, draw):
    ids = option_ids(text for text, _fraction in texts_and_fractions)
    return tuple(
        Choice(option_id, text, D(fraction), draw(FEEDBACK))
        for option_id, (text, fraction) in zip(ids, texts_and_fractions, strict=True)
    )


@st.composite
def single_choice(draw):
    others = draw(st.lists(st.sampled_from(PERCENTS), min_size=1, max_size=4))
    fractions = draw(st.permutations(["1", *others]))
    texts = draw(st.lists(TEXT, min_size=len(fractions), max_size=len(fractions)))
    options = choices(list(zip(texts, fractions, strict=True)), draw)
    return SingleChoiceQuestion(options=options, **draw(common()))


@st.composite
def multiple_choice(draw):
    right = draw(st.sampled_from([["1"], ["0.5", "0.5"], ["0.25", "0.75"], ["0.3333333"] * 3]))
    wrong = draw(
        st.lists(st.sampled_from(["0", "-0.5", "-1"]), min_size=max(0, 2 - len(right)), max_size=3)
    )
    fractions = draw(st.permutations(right + wrong))
    texts = draw(st.lists(TEXT, min_size=len(fractions), max_size=len(fractions)))
    options = choices(list(zip(texts, fractions, strict=True)), draw)
    return MultipleChoiceQuestion(options=options, **draw(common()))


@st.composite
def true_false(draw):
    return TrueFalseQuestion(
        answer=draw(st.booleans()),
        feedback_true=draw(FEEDBACK),
        feedback_false=draw(FEEDBACK),
        **draw(common()),
    )


@st.composite
def numeric_answer(draw, index, fraction):
    if draw(st.booleans()):
        value = draw(NUMBER)
        tolerance = draw(st.decimals(min_value=0, max_value=100, places=2))
        return NumericAnswer(str(index), value, tolerance, D(fraction), draw(FEEDBACK))
    low, high = sorted([draw(NUMBER), draw(NUMBER)])
    return NumericRange(str(index), low, high, D(fraction), draw(FEEDBACK))


@st.composite
def numeric(draw):
    others = draw(st.lists(st.sampled_from(["1", "0.5", "0.25", "0"]), max_size=2))
    fractions = draw(st.permutations(["1", *others]))
    answers = tuple(draw(numeric_answer(i, f)) for i, f in enumerate(fractions, start=1))
    return NumericQuestion(answers=answers, **draw(common()))


@st.composite
def short_text(draw):
    others = draw(st.lists(st.sampled_from(["1", "0.5", "0"]), max_size=2))
    fractions = draw(st.permutations(["1", *others]))
    answers = tuple(
        TextAnswer(str(i), draw(NO_ARROW), D(f), draw(FEEDBACK))
        for i, f in enumerate(fractions, start=1)
    )
    return ShortTextQuestion(answers=answers, **draw(common()))


@st.composite
def matching(draw):
    prompts = draw(st.lists(NO_ARROW, min_size=2, max_size=4))
    answers = draw(st.lists(TEXT, min_size=len(prompts), max_size=len(prompts)))
    pairs = tuple(map(MatchPair, option_ids(prompts), prompts, answers))
    distractors = tuple(draw(st.lists(TEXT, max_size=2)))
    return MatchingQuestion(pairs=pairs, distractors=distractors, **draw(common()))


QUESTIONS = st.one_of(
    single_choice(), multiple_choice(), true_false(), numeric(), short_text(), matching()
)


@PROPERTIES
@given(st.lists(QUESTIONS, min_size=1, max_size=4))
def test_round_trip(questions):
    assert parse_gift(dump_gift(questions)) == questions


@PROPERTIES
@given(st.text())
def test_escape_round_trip(text):
    assert unescape(escape(text)) == text
    assert unescape(escape(text, colons=True)) == text


@PROPERTIES
@given(st.lists(st.sampled_from(AWKWARD) | st.characters(), max_size=40).map("".join))
def test_any_text_parses_or_reports_problems(text):
    questions, problems = [], []
    try:
        questions = parse_gift(text)
    except QuestionImportError as error:
        problems = error.problems
    assert all(1 <= problem.line <= text.count("\n") + 1 for problem in problems)
    assert all(question.text for question in questions)
