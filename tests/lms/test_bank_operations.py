"""Question bank rules: versions, translations, categories, draws per language."""

from __future__ import annotations

from dataclasses import replace

import pytest

from content.extensions import db
from lms.quizzes import TrueFalseQuestion
from lms.quizzes.bank import operations as bank
from lms.quizzes.bank.queries import categories, current_versions, load_question
from tests.fixtures.lms_bank import single_choice


@pytest.mark.db
def test_editing_an_unused_version_changes_it_in_place(create_question, create_user):
    author = create_user()
    bank_question = create_question()
    first = bank_question.current_version

    version = bank.edit_question(bank_question, single_choice(text="Hoelang?"), author)
    db.session.commit()

    assert version.id == first.id
    assert [v.number for v in bank_question.versions] == [1]
    assert load_question(version).text == "Hoelang?"
    assert version.created_by == author


@pytest.mark.db
def test_editing_a_version_an_attempt_used_adds_a_version(create_question, use_version):
    bank_question = create_question()
    first = bank_question.current_version
    spec_before = first.spec_json
    use_version(first)

    version = bank.edit_question(bank_question, single_choice(text="Hoelang precies?"))
    db.session.commit()

    assert version.number == 2
    assert bank_question.current_version == version
    db.session.refresh(first)
    assert first.spec_json == spec_before, "a used version never changes"
    # And the new version may again be polished until an attempt uses it.
    again = bank.edit_question(bank_question, single_choice(text="Hoelang juist?"))
    assert again.id == version.id


def test_saving_the_same_content_changes_nothing(create_question):
    bank_question = create_question()
    question = load_question(bank_question.current_version)
    before = bank_question.current_version.created_dt

    assert bank.edit_question(bank_question, question) is bank_question.current_version
    assert bank_question.current_version.created_dt == before


def test_a_version_can_be_restored(create_question, use_version):
    bank_question = create_question(question=single_choice(text="Eerste"))
    use_version(bank_question.current_version)
    bank.edit_question(bank_question, single_choice(text="Tweede"))
    use_version(bank_question.current_version)

    restored = bank.restore_version(bank_question.versions[0])

    assert restored.number == 3
    assert load_question(restored).text == "Eerste"


def test_the_kind_can_change_between_versions(create_question):
    bank_question = create_question()
    version = bank.edit_question(
        bank_question,
        TrueFalseQuestion(name="Waar?", text="Quarantaine duurt 10 dagen.", answer=True),
    )
    assert version.kind == "true_false"
    assert isinstance(load_question(version), TrueFalseQuestion)


def test_a_translation_starts_as_a_copy_in_the_same_group(create_question):
    dutch = create_question(language="nl")

    french = bank.translate_question(dutch, "fr")
    db.session.commit()

    assert french.translation_group == dutch.translation_group
    assert french.category == dutch.category
    assert load_question(french.current_version) == load_question(dutch.current_version)
    assert set(bank.translations(dutch)) == {"nl", "fr"}
    with pytest.raises(bank.BankError, match="already exists"):
        bank.translate_question(dutch, "fr")
    with pytest.raises(bank.BankError, match="language"):
        bank.translate_question(dutch, "xx")


@pytest.mark.db
def test_draws_use_the_learners_language_and_fall_back_per_question(
    create_category, create_question
):
    category = create_category()
    both = create_question(category=category, language="nl", question=single_choice(text="NL 1"))
    translation = bank.translate_question(both, "fr")
    bank.edit_question(translation, single_choice(text="FR 1"))
    create_question(category=category, language="nl", question=single_choice(text="NL 2"))
    create_question(category=category, language="fr", question=single_choice(text="FR 3"))
    db.session.commit()

    french = [load_question(v).text for v in current_versions(category.id, "fr")]
    dutch = [load_question(v).text for v in current_versions(category.id, "nl")]
    german = [
        (v.question.language, load_question(v).text) for v in current_versions(category.id, "de")
    ]

    # Same pool in every language: each question once, in the learner's language if it can.
    assert french == ["FR 1", "NL 2", "FR 3"]
    assert dutch == ["NL 1", "NL 2", "FR 3"]
    # German: none translated; the site default (en) neither, then the site's order.
    assert german == [("nl", "NL 1"), ("nl", "NL 2"), ("fr", "FR 3")]


def test_draws_leave_out_retired_questions_and_other_categories(create_category, create_question):
    category, other = create_category(), create_category()
    kept = create_question(category=category)
    retired = create_question(category=category)
    create_question(category=other)
    bank.retire_question(retired)
    db.session.commit()

    assert [v.question for v in current_versions(category.id, "nl")] == [kept]
    bank.retire_question(retired, retired=False)
    assert len(current_versions(category.id, "nl")) == 2


def test_draws_give_the_latest_version(create_question, use_version):
    bank_question = create_question(question=single_choice(text="Oud"))
    use_version(bank_question.current_version)
    bank.edit_question(bank_question, single_choice(text="Nieuw"))
    db.session.commit()

    (version,) = current_versions(bank_question.category_id, "nl")
    assert (version.number, load_question(version).text) == (2, "Nieuw")


def test_categories_form_a_tree(create_category):
    training = create_category(name="Opleiding")
    quarantine = create_category(name="Quarantaine", parent=training)
    create_category(name="Afstand", parent=training)
    create_category(name="Algemeen")

    assert [c.path for c in categories()] == [
        "Algemeen",
        "Opleiding",
        "Opleiding/Afstand",
        "Opleiding/Quarantaine",
    ]
    with pytest.raises(bank.BankError, match="already"):
        bank.create_category(" quarantaine ", parent=training)
    with pytest.raises(bank.BankError, match="inside itself"):
        bank.update_category(training, "Opleiding", parent=quarantine)
    with pytest.raises(bank.BankError, match="name"):
        bank.create_category("  ")


def test_only_empty_categories_are_deleted(create_category, create_question):
    parent = create_category()
    child = create_category(parent=parent)
    question = create_question(category=child)

    with pytest.raises(bank.BankError, match="empty"):
        bank.delete_category(parent)
    with pytest.raises(bank.BankError, match="empty"):
        bank.delete_category(child)
    bank.move_question(question, parent)
    bank.delete_category(child)
    db.session.commit()
    assert [c.name for c in categories()] == [parent.name]


def test_stored_spec_ignores_the_gift_category(create_question):
    question = replace(single_choice(), category="$course$/Oud")
    bank_question = create_question(question=question)
    assert load_question(bank_question.current_version).category is None


def test_categories_are_found_by_path(create_category):
    training = create_category(name="Opleiding")
    quarantine = create_category(name="Quarantaine", parent=training)

    assert bank.category_by_path("opleiding/QUARANTAINE") == quarantine
    assert bank.category_by_path("Opleiding/Afstand") is None
    created = bank.category_by_path("Opleiding/Afstand", create=True)
    assert (created.path, created.parent) == ("Opleiding/Afstand", training)
    with pytest.raises(bank.BankError):
        bank.category_by_path("Opleiding//x")


@pytest.mark.db
def test_a_version_an_attempt_asked_cannot_be_changed_even_directly(create_question, use_version):
    bank_question = create_question()
    version = bank_question.current_version
    use_version(version)

    version.spec_json = version.spec_json.replace("10 dagen", "7 dagen")
    with pytest.raises(ValueError, match="never changes"):
        db.session.flush()
    db.session.rollback()
