"""End-to-end: the attempt page's script saves answers as the learner clicks; time is shown.

A Dutch agent starts a timed quiz, picks an answer (the script saves it: the status says
so), reloads (the answer is still there, the order of the options the same), finishes,
confirms and lands on the result; a trainer sees the attempt in the results.
Screenshots: test-output/e2e/test_answers_are_autosaved_and_survive_a_reload-*.png.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from content.auth.models import User
from content.extensions import db
from content.items import operations as items
from content.workflow.operations import transition
from lms.quizzes.bank.models import BankQuestion, Category, QuestionVersion
from lms.quizzes.questions.serialize import question_to_json
from lms.quizzes.settings.operations import default_settings, save_settings
from tests.e2e.conftest import DUTCH_AGENT, EVERY_ROLE, catalog, sign_in
from tests.fixtures.lms_quizzes import single_choice

pytestmark = pytest.mark.e2e


@pytest.fixture
def timed_quiz(live_server) -> str:
    """A published Dutch quiz of three questions with a 20-minute limit; its group."""
    with live_server.app.app_context():
        admin = db.session.scalar(select(User).where(User.email == EVERY_ROLE.email))
        quiz = items.create_item(
            items.language_root("nl"), "quiz", title="Toets e2e", body="Succes!", actor=admin
        )
        transition(quiz, "publish", actor=admin)
        category = Category(name="E2E quiz questions", description="")
        db.session.add(category)
        db.session.flush()
        for number in (1, 2, 3):
            question = single_choice(number)
            bank_question = BankQuestion(category_id=category.id, language="nl")
            bank_question.versions.append(
                QuestionVersion(
                    number=1,
                    kind=question.kind,
                    name=question.name,
                    spec_json=json.dumps(question_to_json(question)),
                )
            )
            db.session.add(bank_question)
        settings = default_settings(quiz.translation_group)
        settings.time_limit_minutes = 20
        save_settings(settings, {category.id: 3})
        db.session.commit()
        return quiz.translation_group


def test_answers_are_autosaved_and_survive_a_reload(page, new_context, timed_quiz, screenshot):
    nl = catalog("nl").gettext
    sign_in(page, DUTCH_AGENT, "nl")
    page.goto(f"/nl/quizzes/{timed_quiz}")
    page.get_by_role("button", name=nl("Start the quiz"), exact=True).click()
    expect(page).to_have_url(re.compile(r".*/nl/quizzes/attempts/\d+$"))
    expect(page.locator("#quiz-countdown")).to_contain_text("20")

    first = page.locator("#question-1")
    labels = first.locator("label").all_inner_texts()
    with page.expect_response(lambda r: r.url.endswith("/autosave")) as saved:
        first.get_by_label(labels[1], exact=True).check()
    assert saved.value.status == 200
    expect(page.locator("#quiz-save-status")).to_have_text(nl("All answers saved."))
    screenshot(page, "attempt")

    page.reload()
    first = page.locator("#question-1")
    assert first.locator("label").all_inner_texts() == labels
    expect(first.get_by_label(labels[1], exact=True)).to_be_checked()

    page.get_by_role("button", name=nl("Finish the attempt…"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(nl("Submit the attempt"))
    page.get_by_role("button", name=nl("Submit and finish"), exact=True).click()
    expect(page).to_have_url(re.compile(r".*/nl/quizzes/attempts/\d+/review$"))
    # The saved answer was graded: right when the option picked was the right one.
    verdicts = page.locator(".quiz-review > p").all_inner_texts()
    picked_right = labels[1].startswith("right answer")
    assert sum(nl("Right.") in v for v in verdicts) == (1 if picked_right else 0)
    assert sum(nl("Wrong.") in v for v in verdicts) == (0 if picked_right else 1)
    assert sum(nl("Not answered.") in v for v in verdicts) == 2
    screenshot(page, "review")

    # The trainer sees the attempt in the results, with the chart and its table.
    trainer = new_context().new_page()
    sign_in(trainer, EVERY_ROLE, "en")
    trainer.goto(f"/en/quizzes/{timed_quiz}/results")
    expect(trainer.get_by_role("img", name=re.compile("Number of attempts"))).to_be_visible()
    expect(trainer.get_by_role("cell", name=DUTCH_AGENT.display_name)).to_be_visible()
    screenshot(trainer, "results")
