"""Importing GIFT and Aiken files into the bank, and exporting a category to GIFT."""

from __future__ import annotations

from io import BytesIO

import pytest

from content.extensions import db
from lms.quizzes import QuestionImportError, parse_gift
from lms.quizzes.bank import operations as bank
from lms.quizzes.bank.models import BankQuestion
from lms.quizzes.bank.queries import current_versions, load_question
from tests.fixtures.lms_bank import upload_questions as upload
from tests.fixtures.web import post_form, translated

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


# The command line ----------------------------------------------------------------------


def test_the_command_imports_a_file_into_a_category_path(runner, tmp_path):
    path = tmp_path / "vragen.gift"
    path.write_text(GIFT, encoding="utf-8")

    result = runner.invoke(
        args=["lms", "import-questions", str(path), "--category", "Examen/Quarantaine"]
    )

    assert result.exit_code == 0, result.output
    assert "3 question(s) imported into Examen/Quarantaine" in result.output
    category = bank.category_by_path("Examen/Quarantaine")
    assert len(current_versions(category.id, "nl")) == 3


def test_the_command_lists_every_problem_and_imports_nothing(runner, tmp_path):
    path = tmp_path / "kapot.gift"
    path.write_text(BROKEN_GIFT, encoding="utf-8")

    result = runner.invoke(args=["lms", "import-questions", str(path), "--category", "Examen"])

    assert result.exit_code == 1
    assert "line 3:" in result.output
    assert "line 5:" in result.output
    assert "2 problem(s); nothing was imported." in result.output
    assert count_questions() == 0


def test_the_command_reads_aiken_in_a_language(runner, tmp_path):
    path = tmp_path / "vragen.txt"
    path.write_text(AIKEN, encoding="utf-8")

    result = runner.invoke(
        args=[
            "lms", "import-questions", str(path), "--category", "Examen",
            "--format", "aiken", "--language", "fr",
        ]
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert {q.language for q in db.session.query(BankQuestion)} == {"fr"}
    bad = runner.invoke(
        args=["lms", "import-questions", str(path), "--category", "X", "--language", "xx"]
    )
    assert bad.exit_code == 2


def test_the_command_exports_a_category(runner, create_category, tmp_path):
    category = create_category(name="Quarantaine")
    bank.import_questions(category, GIFT, language="nl")
    db.session.commit()
    output = tmp_path / "uit.gift"

    result = runner.invoke(
        args=["lms", "export-questions", "--category", "quarantaine", "--output", str(output)]
    )

    assert result.exit_code == 0, result.output
    assert [q.name for q in parse_gift(output.read_text(encoding="utf-8"))] == [
        "Duur",
        "Masker",
        "Afstand",
    ]
    missing = runner.invoke(args=["lms", "export-questions", "--category", "Nergens"])
    assert missing.exit_code == 1
    assert "No such category" in missing.output


# The upload form ------------------------------------------------------------------------


def test_the_upload_form_imports_a_valid_file(auth, client, create_category):
    auth.login_as("trainer")
    category = create_category()

    response = upload(client, category, GIFT)

    assert response.status_code == 302
    assert count_questions() == 3
    assert "3 questions imported." in client.get(response.location).get_data(as_text=True)


def test_the_upload_form_reports_every_problem_and_imports_nothing(auth, client, create_category):
    auth.login_as("trainer")
    category = create_category()

    response = upload(client, category, BROKEN_GIFT)

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "The file has problems; nothing was imported." in html
    assert "Line 3: The answers have no closing }." in html
    assert "Line 5:" in html
    assert count_questions() == 0


def test_problems_are_shown_in_the_users_language(auth, client, create_category):
    auth.login_as("trainer")
    category = create_category()
    text = AIKEN.replace("ANSWER: B", "ANSWER: Z", 1)

    response = upload(client, category, text, lang="fr", file_format="aiken")

    assert response.status_code == 400
    message = "The answer %(letter)s is not among the options."
    assert translated("fr", message, letter="Z") in response.get_data(as_text=True)
    assert translated("fr", message, letter="Z") != message % {"letter": "Z"}
    assert count_questions() == 0


def test_a_file_that_is_not_utf8_is_refused(auth, client, create_category):
    auth.login_as("trainer")
    category = create_category()
    response = post_form(
        client,
        "/en/quizzes/bank/import",
        {
            "file": (BytesIO("Quarantaine één?{T}".encode("utf-16")), "vragen.txt"),
            "file_format": "gift",
            "category_id": str(category.id),
            "language": "nl",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "The file is not UTF-8 text." in response.get_data(as_text=True)


def test_the_download_is_a_gift_file(auth, client, create_category):
    auth.login_as("trainer")
    category = create_category(name="Quarantaine")
    bank.import_questions(category, GIFT, language="nl")
    db.session.commit()

    response = client.get(f"/en/quizzes/bank/categories/{category.id}/export?language=nl")

    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert len(parse_gift(response.get_data(as_text=True))) == 3


def test_export_holds_only_the_questions_of_that_language(create_category):
    category = create_category(name="Quarantaine")
    dutch = bank.import_questions(category, GIFT, language="nl")
    bank.translate_question(dutch[0], "fr")
    db.session.commit()

    french = parse_gift(bank.export_category(category, "fr"))

    assert [q.name for q in french] == ["Duur"]
