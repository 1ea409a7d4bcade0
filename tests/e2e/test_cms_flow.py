"""End-to-end: the editorial flow of the CMS, with the mouse and the keyboard in Chromium.

A Dutch editor writes a page on /nl/ (preview first, then save) and submits it; a reviewer
publishes it from the review queue; the editor translates it into French and the reviewer
publishes that too; an anonymous visitor follows the language switcher from Dutch to French
and on to German, where the page does not exist. axe-core checks the editors' screens on the
way. Expected texts come from the compiled catalogs, never from strings copied into the test.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from content.i18n import language_names
from tests.e2e.conftest import DUTCH_EDITOR, DUTCH_REVIEWER, catalog, sign_in
from tests.e2e.test_login_flow import blocking_violations, describe

pytestmark = pytest.mark.e2e

DUTCH_TITLE = "Thuisisolatie: de regels"
DUTCH_SLUG = "thuisisolatie-de-regels"
DUTCH_BODY = """\
# Wat u moet doen

- Blijf thuis tot de uitslag bekend is.
- Meet twee keer per dag uw temperatuur.

| Dag | Wat er gebeurt |
|-----|----------------|
| 1 | Eerste test |
| 5 | Tweede test |
"""
FRENCH_TITLE = "Isolement à domicile : les règles"
FRENCH_BODY = """\
# Ce que vous devez faire

- Restez chez vous jusqu'au résultat.
- Prenez votre température deux fois par jour.

| Jour | Ce qui se passe |
|------|-----------------|
| 1 | Premier test |
| 5 | Deuxième test |
"""


def editor_bar(page, texts):
    """The editors' bar above an item (an aside named "Editing")."""
    return page.get_by_role("complementary", name=texts.gettext("Editing"), exact=True)


def flash(page):
    """The flashed messages of the page (a status region)."""
    return page.get_by_role("status")


def done(texts, state: str) -> str:
    """The message shown after a workflow step to ``state`` (an English state label)."""
    return texts.gettext("Done: %(state)s.") % {"state": texts.gettext(state)}


def step_comment(texts, step: str) -> str:
    """The label of the comment field of a workflow step (an English step label)."""
    return f"{texts.gettext('Comment')}: {texts.gettext(step)}"


def check_axe(page, found: dict[str, list[dict]], where: str) -> None:
    """Run axe on the page; keep its serious and critical violations under ``where``."""
    violations = blocking_violations(page)
    if violations:
        found[where] = violations


def test_editor_writes_reviewer_publishes_visitor_switches_language(
    new_context, live_server, screenshot
):
    nl, fr, de = catalog("nl").gettext, catalog("fr").gettext, catalog("de").gettext
    dutch, french = catalog("nl"), catalog("fr")
    with live_server.app.app_context():
        names = language_names()
    axe_findings: dict[str, list[dict]] = {}

    # 1. The editor adds a page to the Dutch home page: preview first, then save.
    editor = new_context().new_page()
    sign_in(editor, DUTCH_EDITOR, "nl")
    expect(editor).to_have_url(live_server.url("/nl/dashboard"))
    editor.goto("/nl/")
    editor_bar(editor, dutch).get_by_role("link", name=nl("Add an item here"), exact=True).click()

    expect(editor).to_have_url(re.compile(re.escape(live_server.url("/nl/cms/new/")) + r"\d+$"))
    expect(editor.get_by_role("heading", level=1)).to_have_text(nl("New item"))
    editor.get_by_label(nl("Kind of item"), exact=True).select_option(label=nl("Page"))
    editor.get_by_label(nl("Title"), exact=True).fill(DUTCH_TITLE)
    editor.get_by_label(nl("Text (Markdown)"), exact=True).fill(DUTCH_BODY)
    editor.get_by_role("button", name=nl("Preview"), exact=True).click()

    preview = editor.get_by_role("region", name=nl("Preview"), exact=True).get_by_role("article")
    expect(preview.get_by_role("heading", level=1)).to_have_text(DUTCH_TITLE)
    # Its level is the renderer's business (below the title); its text is the editor's.
    expect(preview.get_by_role("heading", name="Wat u moet doen", exact=True)).to_be_visible()
    expect(preview.get_by_role("listitem")).to_have_count(2)
    table = preview.get_by_role("table")
    expect(table.get_by_role("columnheader")).to_have_text(["Dag", "Wat er gebeurt"])
    expect(table.get_by_role("cell", name="Tweede test", exact=True)).to_be_visible()
    # Nothing is saved: the form still holds the text, and the page does not exist.
    expect(editor.get_by_label(nl("Title"), exact=True)).to_have_value(DUTCH_TITLE)
    assert editor.request.get(f"/nl/{DUTCH_SLUG}").status == 404
    check_axe(editor, axe_findings, "the new-item form with its preview")

    editor.get_by_role("button", name=nl("Save"), exact=True).click()

    expect(editor).to_have_url(live_server.url(f"/nl/{DUTCH_SLUG}"))
    expect(flash(editor)).to_have_text(
        nl("Saved as a draft. Visitors do not see it until it is published.")
    )
    expect(editor.get_by_role("article").get_by_role("heading", level=1)).to_have_text(DUTCH_TITLE)
    expect(editor.get_by_role("article").get_by_role("table")).to_be_visible()
    expect(editor_bar(editor, dutch)).to_contain_text(nl("Draft"))
    check_axe(editor, axe_findings, "the draft page with the editor bar")
    screenshot(editor, "1-draft-saved")

    # 2. The editor submits it for review, with a comment.
    bar = editor_bar(editor, dutch)
    bar.get_by_label(step_comment(dutch, "Submit for review"), exact=True).fill(
        "Klaar voor nalezing"
    )
    bar.get_by_role("button", name=nl("Submit for review"), exact=True).click()

    expect(flash(editor)).to_have_text(done(dutch, "Pending review"))
    expect(editor_bar(editor, dutch)).to_contain_text(nl("Pending review"))
    screenshot(editor, "2-submitted")
    editor_bar(editor, dutch).get_by_role("link", name=nl("History"), exact=True).click()
    expect(editor.get_by_role("heading", level=1)).to_have_text(nl("History"))
    expect(editor.get_by_role("main")).to_contain_text("Klaar voor nalezing")
    check_axe(editor, axe_findings, "the history of the Dutch page")

    # 3. A reviewer, in a browser of their own, publishes it from the review queue.
    reviewer = new_context().new_page()
    sign_in(reviewer, DUTCH_REVIEWER, "nl")
    reviewer.goto("/nl/cms/review")
    queue = reviewer.get_by_role("table", name=nl("Items waiting for review"), exact=True)
    queue.get_by_role("link", name=DUTCH_TITLE, exact=True).click()
    expect(reviewer).to_have_url(live_server.url(f"/nl/{DUTCH_SLUG}"))
    bar = editor_bar(reviewer, dutch)
    # Each step has its own comment field (Publish, Send back to the author), named after it.
    bar.get_by_label(step_comment(dutch, "Publish"), exact=True).fill("Akkoord")
    bar.get_by_role("button", name=nl("Publish"), exact=True).click()

    expect(flash(reviewer)).to_have_text(done(dutch, "Published"))
    expect(editor_bar(reviewer, dutch)).to_contain_text(nl("Published"))
    screenshot(reviewer, "3-published")

    # 4. The editor creates the French translation, translates it and submits it;
    #    the reviewer publishes it.
    editor.goto(f"/nl/{DUTCH_SLUG}")
    editor_bar(editor, dutch).get_by_role("link", name=nl("Translations"), exact=True).click()
    expect(editor.get_by_role("heading", level=1)).to_have_text(
        nl("Translations of %(title)s") % {"title": DUTCH_TITLE}
    )
    check_axe(editor, axe_findings, "the Translations screen of the Dutch page")
    editor.get_by_label(nl("Translate into"), exact=True).select_option(label=names["fr"])
    editor.get_by_role("button", name=nl("Create translation"), exact=True).click()

    # The interface stays Dutch (it follows the editor); the texts are marked as French.
    expect(editor).to_have_url(
        re.compile(re.escape(live_server.url("/nl/cms/items/")) + r"\d+/edit$")
    )
    expect(editor.locator("html")).to_have_attribute("lang", "nl")
    expect(editor.get_by_role("heading", level=1)).to_have_text(nl("Edit"))
    title_field = editor.get_by_label(nl("Title"), exact=True)
    expect(title_field).to_have_attribute("lang", "fr")
    expect(title_field).to_have_value(DUTCH_TITLE)  # prefilled from the source
    title_field.fill(FRENCH_TITLE)
    editor.get_by_label(nl("Text (Markdown)"), exact=True).fill(FRENCH_BODY)
    editor.get_by_label(nl("What did you change?"), exact=True).fill("Traduit en français")
    check_axe(editor, axe_findings, "the edit form of the French translation")
    editor.get_by_role("button", name=nl("Save"), exact=True).click()

    expect(editor).to_have_url(live_server.url(f"/fr/{DUTCH_SLUG}"))
    expect(flash(editor)).to_have_text(nl("Saved as a new revision."))
    expect(editor.get_by_role("article").get_by_role("heading", level=1)).to_have_text(FRENCH_TITLE)
    screenshot(editor, "4-french-saved")
    editor_bar(editor, french).get_by_role(
        "button", name=fr("Submit for review"), exact=True
    ).click()
    expect(flash(editor)).to_have_text(done(french, "Pending review"))

    reviewer.goto("/nl/cms/review")
    queue = reviewer.get_by_role("table", name=nl("Items waiting for review"), exact=True)
    french_entry = queue.get_by_role("link", name=FRENCH_TITLE, exact=True)
    expect(french_entry).to_have_attribute("lang", "fr")  # read in French on a Dutch screen
    french_entry.click()
    expect(reviewer).to_have_url(live_server.url(f"/fr/{DUTCH_SLUG}"))
    editor_bar(reviewer, french).get_by_role("button", name=fr("Publish"), exact=True).click()
    expect(flash(reviewer)).to_have_text(done(french, "Published"))

    editor_bar(editor, french).get_by_role("link", name=fr("History"), exact=True).click()
    expect(editor.get_by_role("heading", level=1)).to_have_text(fr("History"))
    check_axe(editor, axe_findings, "the history of the French page (two revisions)")
    editor.goto("/nl/cms/")
    editor.get_by_role("link", name=nl("Translation overview"), exact=True).click()
    expect(editor.get_by_role("heading", level=1)).to_have_text(nl("Translation overview"))
    check_axe(editor, axe_findings, "the translation overview")

    # 5. An anonymous visitor goes from the Dutch page to the French one, then to German.
    visitor = new_context().new_page()
    visitor.goto(f"/nl/{DUTCH_SLUG}")
    expect(visitor.get_by_role("heading", level=1)).to_have_text(DUTCH_TITLE)
    expect(editor_bar(visitor, dutch)).to_have_count(0)
    switcher = visitor.get_by_role("navigation", name=nl("Language"), exact=True)
    switcher.get_by_role("link", name=names["fr"], exact=True).click()

    expect(visitor).to_have_url(live_server.url(f"/fr/{DUTCH_SLUG}"))
    expect(visitor.locator("html")).to_have_attribute("lang", "fr")
    expect(visitor.get_by_role("heading", level=1)).to_have_text(FRENCH_TITLE)
    expect(visitor.get_by_role("article").get_by_role("table")).to_be_visible()
    screenshot(visitor, "5-french")

    switcher = visitor.get_by_role("navigation", name=fr("Language"), exact=True)
    with visitor.expect_response(lambda response: response.request.is_navigation_request()) as (
        answer
    ):
        switcher.get_by_role("link", name=names["de"], exact=True).click()

    assert answer.value.status == 404
    expect(visitor).to_have_url(re.compile(re.escape(live_server.url("/de/translation-missing/"))))
    expect(visitor.locator("html")).to_have_attribute("lang", "de")
    expect(visitor.get_by_role("heading", level=1)).to_have_text(
        de("This page is not available in this language")
    )
    versions = visitor.get_by_role("main").get_by_role("listitem")
    expect(versions).to_have_count(2)
    expect(versions.get_by_role("link", name=DUTCH_TITLE, exact=True)).to_have_attribute(
        "hreflang", "nl"
    )
    expect(versions.get_by_role("link", name=FRENCH_TITLE, exact=True)).to_have_attribute(
        "hreflang", "fr"
    )
    screenshot(visitor, "5-german-missing")

    # 6. No serious or critical accessibility violation on the editors' screens.
    assert not axe_findings, "\n".join(
        describe(violations, where) for where, violations in axe_findings.items()
    )
