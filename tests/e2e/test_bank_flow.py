"""A trainer builds exam questions in the browser: category, editor, preview, translation.

axe-core checks the bank page and the editor; screenshots go to test-output/e2e/.
"""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import EVERY_ROLE, catalog, sign_in
from tests.e2e.test_login_flow import blocking_violations, describe


def _check_axe(page, where):
    violations = blocking_violations(page)
    assert not violations, describe(violations, where)


def test_trainer_writes_previews_and_translates_a_question(page, screenshot):
    texts = catalog("en")
    sign_in(page, EVERY_ROLE)
    page.goto("/en/quizzes/bank/")
    _check_axe(page, "the empty question bank")

    page.get_by_role("link", name=texts.gettext("New category")).click()
    page.get_by_label(texts.gettext("Name"), exact=True).fill("Examen quarantaine")
    page.get_by_role("button", name=texts.gettext("Save")).click()
    expect(page.get_by_role("heading", name="Examen quarantaine")).to_be_visible()

    page.get_by_label(texts.gettext("New question of type")).select_option("single_choice")
    page.get_by_label(texts.gettext("in"), exact=True).select_option("nl")
    page.get_by_role("button", name=texts.gettext("Write")).click()
    _check_axe(page, "the question editor")

    page.get_by_label(texts.gettext("Title (for authors only)")).fill("Duur (10 dagen)")
    page.get_by_label(texts.gettext("Question (Markdown)")).fill(
        "Hoelang duurt de **quarantaine**?"
    )
    page.get_by_label("Option 1", exact=True).fill("10 dagen")
    page.get_by_label("Credit of option 1 (%)").fill("100")
    page.get_by_label("Feedback on option 1").fill("Juist: tien dagen.")
    page.get_by_label("Option 2", exact=True).fill("5 dagen")
    page.get_by_role("button", name=texts.gettext("Preview")).click()

    preview = page.locator(".question-preview")
    expect(preview.get_by_label("10 dagen")).to_be_visible()
    expect(preview.get_by_label("5 dagen")).to_be_visible()
    expect(preview.locator("strong")).to_have_text("quarantaine")
    expect(preview).not_to_contain_text("Juist")
    expect(preview).not_to_contain_text("Duur")
    screenshot(page, "preview")

    page.get_by_role("button", name=texts.gettext("Save")).click()
    expect(page.locator(".alert, .flash, [role=status]").first).to_be_visible()
    page.get_by_role("button", name="Translate into Français").click()
    expect(page.locator("h1")).to_contain_text("Français")
    expect(page.get_by_label("Option 1", exact=True)).to_have_value("10 dagen")
    page.get_by_label("Option 1", exact=True).fill("10 jours")
    page.get_by_label("Option 2", exact=True).fill("5 jours")
    page.get_by_role("button", name=texts.gettext("Save")).click()
    expect(page.locator(".question-preview")).to_contain_text("10 jours")

    page.get_by_role("link", name=texts.gettext("Question bank")).first.click()
    expect(page.locator("table").first).to_contain_text("Duur (10 dagen)")
    _check_axe(page, "the question bank with a question")
    screenshot(page, "bank")


def test_every_question_type_has_an_accessible_editor(page, screenshot):
    texts = catalog("en")
    sign_in(page, EVERY_ROLE)
    page.goto("/en/quizzes/bank/categories/new")
    page.get_by_label(texts.gettext("Name"), exact=True).fill("Alle soorten")
    page.get_by_role("button", name=texts.gettext("Save")).click()
    url = page.url
    for kind in ("multiple_choice", "true_false", "numeric", "short_text", "matching"):
        page.goto(url)
        page.get_by_label(texts.gettext("New question of type")).select_option(kind)
        page.get_by_role("button", name=texts.gettext("Write")).click()
        expect(page.get_by_label(texts.gettext("Type"), exact=True)).to_have_value(kind)
        _check_axe(page, f"the {kind} editor")
        screenshot(page, kind)
