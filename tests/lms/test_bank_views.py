"""The bank's pages: categories, the editor with its preview, translations, history."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from content.extensions import db
from lms.quizzes import (
    Choice,
    MatchingQuestion,
    MatchPair,
    MultipleChoiceQuestion,
    NumericAnswer,
    NumericQuestion,
    ShortTextQuestion,
    TextAnswer,
    TrueFalseQuestion,
    option_ids,
)
from lms.quizzes.bank.models import BankQuestion, Category
from lms.quizzes.bank.queries import load_question
from tests.fixtures.lms_bank import single_choice
from tests.fixtures.web import post_form

D = Decimal


@pytest.fixture
def trainer(auth):
    return auth.login_as("trainer")


def page(response) -> str:
    return response.get_data(as_text=True)


def preview_html(response) -> str:
    """The preview section of a page (what the learner would get)."""
    html = page(response)
    match = re.search(r'<section class="preview".*?</section>', html, re.S)
    assert match, "no preview on the page"
    return match.group(0)


def editor_data(**overrides):
    """A filled single-choice editor: Dutch texts, right option first."""
    data = {
        "kind": "single_choice",
        "name": "Duur quarantaine (10 dagen)",
        "text": "Hoelang duurt de **quarantaine**?",
        "mark": "1",
        "general_feedback": "Zie de richtlijn.",
        "options-0-text": "10 dagen",
        "options-0-percent": "100",
        "options-0-feedback": "Juist, tien dagen.",
        "options-1-text": "5 dagen",
        "options-1-percent": "0",
        "options-1-feedback": "Te kort.",
        "options-2-text": "",
        "options-2-percent": "0",
        "options-3-text": "",
        "options-3-percent": "0",
        "shuffle": "y",
        "save": "Save",
    }
    data.update(overrides)
    return data


def test_the_bank_page_shows_questions_and_missing_translations(
    trainer, client, create_category, create_question
):
    category = create_category(name="Quarantaine")
    create_question(category=category, language="nl", question=single_choice(name="Duur"))

    html = page(client.get(f"/en/quizzes/bank/?category={category.id}"))

    assert "Quarantaine" in html
    assert "Duur" in html
    # nl exists; fr, de and en are missing and offer a Translate button.
    assert html.count("Missing") >= 3
    assert html.count('name="language" value=') >= 3


def test_a_category_is_created_and_errors_keep_the_input(trainer, client, create_category):
    response = post_form(client, "/en/quizzes/bank/categories/new", {"name": "Afstand"})
    assert response.status_code == 302
    assert db.session.query(Category).filter_by(name="Afstand").count() == 1

    response = post_form(client, "/en/quizzes/bank/categories/new", {"name": "afstand"})
    assert response.status_code == 400
    html = page(response)
    assert "There is already a category with this name here." in html
    assert 'value="afstand"' in html


def test_a_question_is_written_in_the_editor(trainer, client, create_category):
    category = create_category()

    response = post_form(
        client,
        f"/en/quizzes/bank/categories/{category.id}/questions/new?language=nl",
        editor_data(),
    )

    assert response.status_code == 302, page(response)
    (bank_question,) = db.session.query(BankQuestion).all()
    question = load_question(bank_question.current_version)
    assert (bank_question.language, bank_question.category_id) == ("nl", category.id)
    assert [(o.text, o.fraction, o.feedback) for o in question.options] == [
        ("10 dagen", D(1), "Juist, tien dagen."),
        ("5 dagen", D(0), "Te kort."),
    ]
    assert bank_question.current_version.created_by == trainer


def test_editor_errors_are_shown_beside_the_fields_and_keep_the_input(
    trainer, client, create_category
):
    category = create_category()
    data = editor_data(**{"options-0-percent": "50", "mark": "veel", "name": ""})

    response = post_form(
        client, f"/en/quizzes/bank/categories/{category.id}/questions/new?language=nl", data
    )

    assert response.status_code == 400
    html = page(response)
    assert "One option must be worth 100%." in html
    assert "Give a number, e.g. 10 or 2,5." in html
    assert 'aria-invalid="true"' in html
    assert 'value="10 dagen"' in html
    assert 'value="veel"' in html
    assert db.session.query(BankQuestion).count() == 0


def test_preview_renders_only_what_learners_see(trainer, client, create_category):
    category = create_category()
    data = editor_data(save=None, preview="Preview")
    del data["save"]

    response = post_form(
        client, f"/en/quizzes/bank/categories/{category.id}/questions/new?language=nl", data
    )

    assert response.status_code == 200
    preview = preview_html(response)
    assert "<strong>quarantaine</strong>" in preview
    assert "10 dagen" in preview
    assert "5 dagen" in preview
    assert 'type="radio"' in preview
    assert 'lang="nl"' in preview
    # Never the title, the credit, the feedback: only public_view() is rendered.
    for secret in ("Duur quarantaine", "Juist, tien dagen.", "Te kort.", "Zie de richtlijn."):
        assert secret not in preview
    assert db.session.query(BankQuestion).count() == 0, "a preview saves nothing"


QUESTIONS = [
    MultipleChoiceQuestion(
        name="Titel Symptomen",
        text="Welke klachten?",
        options=tuple(
            Choice(option_id, text, fraction, feedback)
            for option_id, (text, fraction, feedback) in zip(
                option_ids(["Koorts", "Hoest", "Jeuk"]),
                [("Koorts", D("0.5"), "Ja."), ("Hoest", D("0.5"), ""), ("Jeuk", D(-1), "Nee.")],
                strict=True,
            )
        ),
    ),
    TrueFalseQuestion(
        name="Titel Masker", text="Een masker helpt.", answer=True, feedback_true="Klopt."
    ),
    NumericQuestion(
        name="Titel Incubatie",
        text="Hoeveel dagen?",
        answers=(NumericAnswer("1", D(14), D(1), D(1), "Twee weken."),),
    ),
    ShortTextQuestion(
        name="Titel Hoofdstad",
        text="Hoofdstad?",
        answers=(TextAnswer("1", "Brussel", D(1), "Inderdaad."),),
        ignore_accents=True,
    ),
    MatchingQuestion(
        name="Titel Koppel",
        text="Koppel.",
        pairs=tuple(
            map(
                MatchPair,
                option_ids(["Koorts", "Masker"]),
                ["Koorts", "Masker"],
                ["Symptoom", "Maatregel"],
            )
        ),
        distractors=("Vaccin",),
    ),
]


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.kind)
def test_every_type_opens_in_the_editor_and_saves_unchanged(
    trainer, client, create_question, question
):
    bank_question = create_question(question=question)
    url = f"/en/quizzes/bank/questions/{bank_question.id}"

    response = client.get(url)
    assert response.status_code == 200
    preview = preview_html(response)
    assert question.text in preview
    assert question.name not in preview
    for secret in ("Ja.", "Nee.", "Klopt.", "Twee weken.", "Inderdaad.", "Brussel"):
        assert secret not in preview

    # Saving the form as it was loaded keeps the question exactly (no new version).
    form = _form_values(page(response))
    form["save"] = "Save"
    response = post_form(client, url, form)
    assert response.status_code == 302, page(response)
    db.session.refresh(bank_question)
    assert [v.number for v in bank_question.versions] == [1]
    assert load_question(bank_question.current_version) == question


def _form_values(html: str) -> dict:
    """The values a browser would submit for the editor form (text, selects, checks)."""
    form = re.search(r'<form method="post" novalidate id="question-editor">.*?</form>', html, re.S)
    html = form.group(0)
    values = {}
    for tag in re.finditer(r"<input[^>]*>", html):
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', tag.group(0)))
        kind = attrs.get("type", "text")
        if "name" not in attrs or kind in ("submit", "hidden"):
            continue
        if kind in ("checkbox", "radio") and "checked" not in tag.group(0):
            continue
        values[attrs["name"]] = _unescape(attrs.get("value", ""))
    for area in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        values[area.group(1)] = _unescape(area.group(2).removeprefix("\n"))
    for select in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(
            r'<option[^>]*selected[^>]*value="([^"]*)"|<option value="([^"]*)" selected',
            select.group(2),
        )
        if chosen:
            values[select.group(1)] = _unescape(chosen.group(1) or chosen.group(2))
    return values


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def test_editing_a_used_question_adds_a_version(trainer, client, create_question, use_version):
    bank_question = create_question(question=single_choice(text="Oud"))
    use_version(bank_question.current_version)
    url = f"/en/quizzes/bank/questions/{bank_question.id}"

    response = post_form(client, url, editor_data(text="Nieuw"), follow_redirects=True)

    assert "Saved as version 2" in page(response)
    db.session.refresh(bank_question)
    assert [v.number for v in bank_question.versions] == [1, 2]
    assert load_question(bank_question.versions[0]).text == "Oud"
    history = page(client.get(f"{url}/history"))
    assert "Version 2" in history
    assert "Version 1" in history
    assert "yes (locked)" in history


def test_translating_opens_a_copy_in_the_other_language(trainer, client, create_question):
    dutch = create_question(language="nl", question=single_choice(text="Hoelang?"))

    response = post_form(
        client, f"/en/quizzes/bank/questions/{dutch.id}/translate", {"language": "fr"}
    )

    french = db.session.query(BankQuestion).filter_by(language="fr").one()
    assert response.location.endswith(f"/en/quizzes/bank/questions/{french.id}")
    assert french.translation_group == dutch.translation_group
    html = page(client.get(response.location))
    assert 'lang="fr" class="question-preview"' in html
    assert "Hoelang?" in html, "the translation starts as a copy"


def test_a_version_can_be_viewed_and_restored(trainer, client, create_question, use_version):
    bank_question = create_question(question=single_choice(text="Eerste"))
    first = bank_question.current_version
    use_version(first)
    post_form(client, f"/en/quizzes/bank/questions/{bank_question.id}", editor_data())

    html = page(client.get(f"/en/quizzes/bank/versions/{first.id}"))
    assert "Eerste" in html
    assert "10 dagen" in html

    response = post_form(client, f"/en/quizzes/bank/versions/{first.id}/restore", {})
    assert response.status_code == 302
    db.session.refresh(bank_question)
    assert load_question(bank_question.current_version).text == "Eerste"
    # Version 2 was never asked: restoring rewrites it rather than adding a third.
    assert [v.number for v in bank_question.versions] == [1, 2]


def test_retiring_takes_a_question_out_of_the_draws(trainer, client, create_question):
    bank_question = create_question()
    post_form(client, f"/en/quizzes/bank/questions/{bank_question.id}/retire", {})
    db.session.refresh(bank_question)
    assert bank_question.retired_dt is not None
    html = page(client.get(f"/en/quizzes/bank/?category={bank_question.category_id}"))
    assert "Retired" in html


def test_an_empty_category_is_deleted_a_full_one_is_not(
    trainer, client, create_category, create_question
):
    full, empty = create_category(), create_category()
    full_id, empty_id = full.id, empty.id
    create_question(category=full)

    response = post_form(
        client, f"/en/quizzes/bank/categories/{full.id}/delete", {}, follow_redirects=True
    )
    assert "Only an empty category can be deleted." in page(response)
    post_form(client, f"/en/quizzes/bank/categories/{empty_id}/delete", {})
    db.session.expire_all()
    assert db.session.query(Category.id).all() == [(full_id,)]


def test_the_cms_translation_overview_lists_questions(
    auth, client, create_category, create_question
):
    category = create_category(name="Examen")
    dutch = create_question(category=category, question=single_choice(name="Duur"))
    auth.login_as("trainer")

    html = page(client.get("/en/cms/translations"))

    assert "Quiz questions" in html
    assert "Examen · Duur" in html
    assert f"/en/quizzes/bank/questions/{dutch.id}" in html
    section = html.split("Quiz questions", 1)[1]
    assert section.count("Missing") == 3


def test_editors_do_not_see_question_rows_in_the_overview(auth, client, create_question):
    create_question(question=single_choice(name="Duur"))
    auth.login_as("editor")

    html = page(client.get("/en/cms/translations"))

    assert "Quiz questions" not in html


def test_change_type_and_more_rows_keep_what_was_typed(trainer, client, create_category):
    category = create_category()
    url = f"/en/quizzes/bank/categories/{category.id}/questions/new?language=nl"
    data = editor_data(kind="multiple_choice", change_kind="Change type")
    del data["save"]

    html = page(post_form(client, url, data))

    assert "Partial credit: each right option earns its share" in html
    assert 'value="10 dagen"' in html
    assert db.session.query(BankQuestion).count() == 0

    data = editor_data(more_rows="More rows")
    del data["save"]
    html = page(post_form(client, url, data))
    assert 'name="options-5-text"' in html
    assert 'value="Te kort."' in html


def test_every_type_can_be_started_empty(trainer, client, create_category):
    category = create_category()
    for kind in (
        "single_choice",
        "multiple_choice",
        "true_false",
        "numeric",
        "short_text",
        "matching",
    ):
        url = f"/en/quizzes/bank/categories/{category.id}/questions/new?language=fr&kind={kind}"
        response = client.get(url)
        assert response.status_code == 200, kind
        assert f'<option selected value="{kind}">' in page(response) or (
            f'value="{kind}" selected' in page(response)
        )
    assert (
        client.get(
            f"/en/quizzes/bank/categories/{category.id}/questions/new?language=xx"
        ).status_code
        == 404
    )


def test_a_numeric_range_and_short_text_options_are_written(trainer, client, create_category):
    category = create_category()
    url = f"/en/quizzes/bank/categories/{category.id}/questions/new?language=nl"
    numeric = {
        "kind": "numeric", "name": "Afstand", "text": "Hoeveel meter?", "mark": "2",
        "numeric_answers-0-minimum": "1,5", "numeric_answers-0-maximum": "2",
        "numeric_answers-0-percent": "100",
        "numeric_answers-1-value": "1", "numeric_answers-1-tolerance": "0,2",
        "numeric_answers-1-percent": "50", "save": "Save",
    }  # fmt: skip
    assert post_form(client, url, numeric).status_code == 302
    text = {
        "kind": "short_text", "name": "Stad", "text": "Hoofdstad?", "mark": "1",
        "text_answers-0-text": "Brussel", "text_answers-0-percent": "100",
        "text_answers-1-text": "Bruxelles", "text_answers-1-percent": "100",
        "ignore_accents": "y", "save": "Save",
    }  # fmt: skip
    assert post_form(client, url, text).status_code == 302

    first, second = (load_question(q.current_version) for q in db.session.query(BankQuestion))
    assert first.mark == 2
    assert [type(a).__name__ for a in first.answers] == ["NumericRange", "NumericAnswer"]
    assert (first.answers[0].minimum, first.answers[1].tolerance) == (D("1.5"), D("0.2"))
    assert (second.ignore_case, second.ignore_accents) == (False, True)
    assert [a.text for a in second.answers] == ["Brussel", "Bruxelles"]


def test_a_range_whose_end_is_below_its_start_is_refused(trainer, client, create_category):
    category = create_category()
    url = f"/en/quizzes/bank/categories/{category.id}/questions/new?language=nl"
    data = {
        "kind": "numeric", "name": "Afstand", "text": "Hoeveel meter?", "mark": "1",
        "numeric_answers-0-minimum": "3", "numeric_answers-0-maximum": "2",
        "numeric_answers-0-percent": "100", "save": "Save",
    }  # fmt: skip
    response = post_form(client, url, data)
    assert response.status_code == 400
    assert "The end of the range is below its start." in page(response)


def test_a_question_moves_with_its_translations(trainer, client, create_category, create_question):
    source, target = create_category(name="Oud"), create_category(name="Nieuw")
    dutch = create_question(category=source)
    post_form(client, f"/en/quizzes/bank/questions/{dutch.id}/translate", {"language": "fr"})

    response = post_form(
        client, f"/en/quizzes/bank/questions/{dutch.id}/move", {"category_id": str(target.id)}
    )

    assert response.status_code == 302
    db.session.expire_all()
    assert {q.category_id for q in db.session.query(BankQuestion)} == {target.id}


def test_a_save_on_top_of_someone_elses_is_refused_and_keeps_the_input(
    trainer, client, create_question
):
    from lms.quizzes.bank import operations as bank_operations

    bank_question = create_question(question=single_choice(text="Oud"))
    url = f"/en/quizzes/bank/questions/{bank_question.id}"
    html = page(client.get(url))
    base = re.search(r'<input[^>]*name="base"[^>]*value="([^"]+)"', html).group(1)
    # Meanwhile a colleague saves another text.
    bank_operations.edit_question(bank_question, single_choice(text="Van een collega"))
    db.session.commit()

    response = post_form(client, url, editor_data(text="Mijn versie", base=base))

    assert response.status_code == 409
    assert "Someone else saved this question while you were editing it." in page(response)
    assert "Mijn versie" in page(response)
    db.session.refresh(bank_question)
    assert load_question(bank_question.current_version).text == "Van een collega"


def test_the_question_is_previewed_in_every_language(trainer, client, create_question):
    from lms.quizzes.bank import operations as bank_operations

    dutch = create_question(question=single_choice(text="Hoelang?", right="10 dagen"))
    french = bank_operations.translate_question(dutch, "fr")
    bank_operations.edit_question(french, single_choice(text="Combien de temps?", right="10 jours"))
    db.session.commit()

    html = page(client.get(f"/en/quizzes/bank/questions/{dutch.id}/preview"))

    assert '<div lang="nl" class="question-preview">' in html
    assert '<div lang="fr" class="question-preview">' in html
    assert "Hoelang?" in html
    assert "Combien de temps?" in html
    assert "Not translated into: Deutsch, English." in html
