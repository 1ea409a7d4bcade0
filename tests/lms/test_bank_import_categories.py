"""GIFT $CATEGORY lines choose or create the bank's categories when the user asks, as in Moodle."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from content.extensions import db
from lms.quizzes import QuestionImportError, parse_gift
from lms.quizzes.bank import operations as bank
from lms.quizzes.bank.models import BankQuestion, Category
from lms.quizzes.bank.queries import current_versions, load_question
from tests.fixtures.lms_bank import upload_questions as upload
from tests.fixtures.web import translated

# A Moodle export of two categories, with questions before any $CATEGORY line too.
GIFT = """\
::Eerst::[markdown]Deze vraag staat voor elke categorie.{T}

// question: 0  name: Switch category to $course$/top/Default for Opleiding/Quarantaine
$CATEGORY: $course$/top/Default for Opleiding/Quarantaine

::Duur::[markdown]Hoelang duurt de quarantaine?{
\t=[plain]10 dagen#[markdown]**Juist**.
\t~5 dagen#[plain]Te kort.
\t####[markdown]Zie de richtlijn.
}

::Masker::Een mondmasker verkleint het risico.{T}

$CATEGORY: $course$/top/Examen

::Afstand::Hoeveel meter?{#1..2}

$CATEGORY:

::Laatst::Deze vraag volgt een lege categorie.{F}
"""


def where(name):
    """The category path of the imported question called ``name``."""
    query = db.session.query(BankQuestion).filter(BankQuestion.versions.any(name=name))
    return query.one().category.path


def category_count():
    return db.session.query(Category).count()


@pytest.mark.db
def test_the_file_chooses_and_creates_categories_when_asked(create_category):
    chosen = create_category(name="Import")
    existing = create_category(name="examen")  # found again, whatever the case

    added = bank.import_questions(chosen, GIFT, language="nl", categories_from_file=True)
    db.session.commit()

    assert len(added) == 5
    assert where("Eerst") == "Import"
    assert where("Duur") == where("Masker") == "Default for Opleiding/Quarantaine"
    assert where("Afstand") == existing.path == "examen"
    assert where("Laatst") == "Import"
    assert category_count() == 4  # Import, examen, Default for Opleiding, Quarantaine


def test_without_the_option_the_chosen_category_takes_every_question(create_category):
    chosen = create_category(name="Import")

    bank.import_questions(chosen, GIFT, language="nl")
    db.session.commit()

    assert {where(name) for name in ("Eerst", "Duur", "Afstand", "Laatst")} == {"Import"}
    assert category_count() == 1


@pytest.mark.db
def test_names_the_bank_cannot_hold_are_reported_by_line_and_nothing_changes(create_category):
    chosen = create_category(name="Import")
    text = (
        "$CATEGORY: $course$/top/Vragen 1//2\n"
        "::a::Vraag{T}\n"
        "\n"
        f"$CATEGORY: Opleiding/{'x' * 201}\n"
        "::b::Vraag{T}\n"
        "\n"
        "$CATEGORY: Opleiding/ /Examen\n"
        "::c::Vraag{T}\n"
    )

    with pytest.raises(QuestionImportError) as caught:
        bank.import_questions(chosen, text, language="nl", categories_from_file=True)
    db.session.rollback()

    problems = caught.value.problems
    assert [(p.line, p.code) for p in problems] == [(line, "bad-category") for line in (1, 4, 7)]
    assert "/" in str(problems[0].message)
    assert "200" in str(problems[1].message)
    assert category_count() == 1
    assert db.session.query(BankQuestion).count() == 0
    # The same file goes into the chosen category when its categories are not asked for.
    assert len(bank.import_questions(chosen, text, language="nl")) == 3


def test_aiken_files_have_no_categories(create_category):
    chosen = create_category(name="Import")
    aiken = "Wie belt de contacten?\nA. De huisarts\nB. Het callcenter\nANSWER: B\n"

    (row,) = bank.import_questions(
        chosen, aiken, file_format="aiken", language="nl", categories_from_file=True
    )

    assert row.category is chosen


@pytest.mark.db
def test_an_export_imports_back_into_the_same_category(create_category):
    chosen = create_category(name="Import")
    bank.import_questions(chosen, GIFT, language="nl", categories_from_file=True)
    db.session.commit()
    quarantine = bank.category_by_path("Default for Opleiding/Quarantaine")
    stored = [load_question(v) for v in current_versions(quarantine.id, "nl")]

    exported = bank.export_category(quarantine, "nl")
    again = bank.import_questions(
        create_category(name="Elders"), exported, language="nl", categories_from_file=True
    )
    db.session.commit()

    assert exported.startswith("$CATEGORY: Default for Opleiding/Quarantaine\n")
    assert [q.name for q in stored] == ["Duur", "Masker"]
    assert (stored[0].options[0].text, stored[0].options[0].feedback) == ("10 dagen", "**Juist**.")
    assert parse_gift(exported) == [replace(q, category=quarantine.path) for q in stored]
    assert {row.category_id for row in again} == {quarantine.id}
    assert [load_question(row.current_version) for row in again] == stored


# The upload form and the command --------------------------------------------------------


def test_the_form_offers_the_choice_in_the_users_language(auth, client, create_category):
    auth.login_as("trainer")
    create_category()

    html = client.get("/nl/quizzes/bank/import").get_data(as_text=True)

    label = translated("nl", "Take the categories from the file")
    assert label != "Take the categories from the file"
    assert label in html
    assert 'type="checkbox"' in html
    assert 'name="categories_from_file"' in html


def test_the_form_puts_questions_in_the_files_categories_when_ticked(auth, client, create_category):
    auth.login_as("trainer")
    chosen = create_category(name="Import")

    response = upload(client, chosen, GIFT, categories_from_file="y")

    assert response.status_code == 302
    assert response.location.endswith("/en/quizzes/bank/")  # the whole bank, not one category
    assert where("Duur") == "Default for Opleiding/Quarantaine"
    assert where("Eerst") == "Import"


def test_the_form_keeps_the_chosen_category_when_not_ticked(auth, client, create_category):
    auth.login_as("trainer")
    chosen = create_category(name="Import")

    response = upload(client, chosen, GIFT)

    assert response.status_code == 302
    assert response.location.endswith(f"/en/quizzes/bank/?category={chosen.id}")
    assert where("Duur") == "Import"
    assert category_count() == 1


def test_the_form_lists_bad_category_lines_and_keeps_the_choice(auth, client, create_category):
    auth.login_as("trainer")
    chosen = create_category(name="Import")

    text = "$CATEGORY: a//b\n::a::[html]<b>Vraag</b>{T}\n"

    response = upload(client, chosen, text, categories_from_file="y")

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    # Every problem at once: the category's and the question's.
    assert "Line 1: A category name cannot contain “/”." in html
    assert "Line 2: HTML text is not supported" in html
    assert re.search(r'<input[^>]*\bchecked\b[^>]*name="categories_from_file"', html)
    assert category_count() == 1


def test_the_command_takes_the_categories_from_the_file_when_asked(runner, tmp_path):
    path = tmp_path / "vragen.gift"
    path.write_text(GIFT, encoding="utf-8")

    result = runner.invoke(
        args=[
            "lms", "import-questions", str(path), "--category", "Import",
            "--categories-from-file",
        ]
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "2 question(s) imported into Import (nl)." in result.output
    assert "2 question(s) imported into Default for Opleiding/Quarantaine (nl)." in result.output
    assert "1 question(s) imported into Examen (nl)." in result.output
    assert where("Afstand") == "Examen"


def test_the_command_keeps_every_question_in_its_category_by_default(runner, tmp_path):
    path = tmp_path / "vragen.gift"
    path.write_text(GIFT, encoding="utf-8")

    result = runner.invoke(args=["lms", "import-questions", str(path), "--category", "Import"])

    assert result.exit_code == 0, result.output
    assert "5 question(s) imported into Import (nl)." in result.output
    assert category_count() == 1
