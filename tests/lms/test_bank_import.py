"""Importing GIFT and Aiken files into the bank, and exporting a category to GIFT."""

from __future__ import annotations

import pytest

from content.extensions import db
from lms.quizzes import QuestionImportError, parse_gift
from lms.quizzes import bank_operations as bank
from lms.quizzes.bank import current_versions, load_question
from lms.quizzes.bank_models import BankQuestion

GIFT = """\
$CATEGORY: $course$/Opleiding

::Duur::Hoelang duurt de quarantaine?{=10 dagen ~5 dagen ~Geen}

::Masker::Een mondmasker verkleint het risico.{T}

::Afstand::Hoeveel meter?{#1..2}
"""

BROKEN_GIFT = """\
::Goed::Deze vraag is in orde.{T}

::Kapot::Deze vraag heeft geen einde.{=ja ~nee

::Leeg::{=iets ~anders}
"""

AIKEN = """\
Hoelang duurt de quarantaine?
A. 5 dagen
B. 10 dagen
ANSWER: B

Wie belt de contacten?
A. De huisarts
B. Het callcenter
ANSWER: B
"""


def count_questions():
    return db.session.query(BankQuestion).count()


def test_a_valid_gift_file_adds_every_question(create_category, create_user):
    category = create_category()
    author = create_user()

    added = bank.import_questions(category, GIFT, language="fr", user=author)
    db.session.commit()

    assert [q.current_version.name for q in added] == ["Duur", "Masker", "Afstand"]
    assert {q.language for q in added} == {"fr"}
    assert {q.category_id for q in added} == {category.id}
    assert len({q.translation_group for q in added}) == 3
    assert added[0].current_version.created_by == author


def test_a_valid_aiken_file_adds_single_choice_questions(create_category):
    category = create_category()
    added = bank.import_questions(category, AIKEN, file_format="aiken", language="nl")
    assert [q.current_version.kind for q in added] == ["single_choice", "single_choice"]


@pytest.mark.db
def test_a_file_with_any_error_imports_nothing(create_category):
    category = create_category()

    with pytest.raises(QuestionImportError) as caught:
        bank.import_questions(category, BROKEN_GIFT, language="nl")
    db.session.commit()

    assert [(p.line, p.code) for p in caught.value.problems] == [
        (3, "unclosed-answers"),
        (5, "missing-text"),
    ]
    assert count_questions() == 0


def test_unknown_format_and_language_are_refused(create_category):
    category = create_category()
    with pytest.raises(bank.BankError, match="format"):
        bank.import_questions(category, GIFT, file_format="qti", language="nl")
    with pytest.raises(bank.BankError, match="language"):
        bank.import_questions(category, GIFT, language="xx")
    assert count_questions() == 0


def test_export_writes_the_current_questions_as_gift(create_category):
    category = create_category(name="Quarantaine")
    bank.import_questions(category, GIFT, language="nl")
    db.session.commit()

    text = bank.export_category(category, "nl")

    assert text.startswith("$CATEGORY: Quarantaine\n")
    back = parse_gift(text)
    assert [q.name for q in back] == ["Duur", "Masker", "Afstand"]
    stored = [load_question(v) for v in current_versions(category.id, "nl")]
    assert [q.text for q in back] == [q.text for q in stored]


def test_an_empty_category_exports_nothing_but_its_name(create_category):
    category = create_category(name="Leeg")
    assert parse_gift(bank.export_category(category, "nl")) == []
