"""Audit: every page speaks the reader's language and shows no internal codes.

Each page of the walk (``site_walk.pages``) is rendered in nl, fr, de and en in Chromium;
its visible text (``innerText``, leaving out parts marked with another ``lang``, such as
the language switcher or a French item on a Dutch screen) must not show:

- identifiers meant for programs: audit actions (``ticket.view``), field names
  (``first_name``), sources (``calls.import``), reasons (``escalation``);
- a language code where a language's name belongs (``Taal: fr``);
- English sentences on a Dutch, French or German page;
- numbers in the English way on other pages (``50.0%`` instead of ``50,0 %``).

The probes plant a code and an English sentence to prove the audit fails when it should.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import catalog, sign_in
from tests.e2e.site_walk import AUDITOR, WalkedPage, pages

LANGUAGES = ["nl", "fr", "de", "en"]

#: The visible text of the page, by element, leaving out what is marked as another language.
VISIBLE_TEXT = """(language) => {
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    const text = node.textContent.trim();
    if (!text || !element.checkVisibility({ visibilityProperty: true })) continue;
    if (element.closest("script, style, code, pre, kbd, samp, .visually-hidden")) continue;
    const marked = element.closest("[lang]");
    if (marked && marked.getAttribute("lang").split("-")[0] !== language) continue;
    texts.push(text);
  }
  return texts;
}"""

#: ``ticket.view``, ``calls.import``, ``document.issued``: a dotted code of a program.
DOTTED_CODE = re.compile(
    r"(?<![\w@./-])[a-z]{2,}(?:_[a-z]+)*\.[a-z]{2,}(?:_[a-z]+)*(?![\w@/-]|\.\w)"
)
#: ``first_name``, ``outbound_case``: a snake-case name of a program.
SNAKE_CODE = re.compile(r"(?<![\w@./-])[a-z]+_[a-z_]+(?![\w@/-])")
#: File names and addresses are fine: ``certificate.pdf``, ``example.org``.
NOT_CODES = re.compile(r"\.(pdf|csv|json|jsonl|xlsx|xls|txt|md|org|com|be|eu|net|png|svg)$")
#: Codes shown alone where a word belongs (a reason, a state, a kind of document).
BARE_CODES = {
    "body", "title", "description", "call", "escalation", "supervision", "lookup",
    "document issue", "system", "pending", "published", "private", "escalated", "closed",
    "open", "quarantine_certificate", "test_prescription",
}  # fmt: skip
#: A language code where the language's name belongs: ``Taal: fr``, a table cell ``nl``.
LANGUAGE_CODE = re.compile(r"(^|[:·(]\s*)(nl|fr|de|en)(\s*[,.;)]|$)", re.IGNORECASE)
#: Texts that are language codes and also words of some languages.
WORDS_LIKE_CODES = {"de": ("nl", "fr"), "en": ("nl", "fr")}
#: English words no Dutch, French or German sentence uses.
ENGLISH = re.compile(
    r"\b(the|and|with|your|you|this|please|which|from|have|been|should|would|there|"
    r"was not|were)\b"
)
#: 50.0% or 50%: the English way; nl, fr and de write 50,0 % (babel's format_percent).
ENGLISH_PERCENT = re.compile(r"\d\.\d+\s*%|\d%")


def findings(texts: list[str], language: str) -> list[str]:
    """Return what in a page's visible texts is a code, a language code or the wrong language."""
    found = []
    for text in texts:
        for match in DOTTED_CODE.finditer(text):
            if not NOT_CODES.search(match[0]):
                found.append(f"code {match[0]!r} in {text!r}")
        found.extend(f"code {match[0]!r} in {text!r}" for match in SNAKE_CODE.finditer(text))
        # A code may be shown when it is also the reader's word for it (fr "supervision").
        if text in BARE_CODES and catalog(language).gettext(text) != text:
            found.append(f"code {text!r} shown as a word")
        if text in {"body", "description"}:
            found.append(f"field name {text!r} shown")
        # "de" and "en" alone are also Dutch and French words ("from", "and").
        if LANGUAGE_CODE.search(text) and language not in WORDS_LIKE_CODES.get(text, ()):
            found.append(f"language code in {text!r}")
        if language != "en":
            found.extend(
                f"English {match[0]!r} in {text!r}" for match in ENGLISH.finditer(text.lower())
            )
            found.extend(
                f"English number {match[0]!r} in {text!r}"
                for match in ENGLISH_PERCENT.finditer(text)
            )
    return sorted(set(found))


@pytest.fixture(scope="module")
def reader_pages(browser, audit_site):
    """One page per account (visitor, auditor), signed in once for the module."""
    opened = {}

    def page_for(account):
        if account not in opened:
            context = browser.new_context(base_url=audit_site.origin)
            context.set_default_timeout(10_000)
            page = context.new_page()
            if account is not None:
                sign_in(page, account)
            opened[account] = page
        return opened[account]

    yield page_for
    for page in opened.values():
        page.context.close()


@pytest.mark.parametrize("walked", pages(), ids=lambda walked: walked.endpoint)
def test_page_speaks_the_readers_language(audit_site, reader_pages, walked: WalkedPage):
    page = reader_pages(walked.account)
    problems = {}
    for language in LANGUAGES:
        with audit_site.app.app_context():
            url = walked.url(language)
        if url is None:
            pytest.skip(f"no row to show on {walked.rule}")
        response = page.goto(url)
        assert response.status < 500, url
        found = findings(page.evaluate(VISIBLE_TEXT, language), language)
        if found:
            problems[url] = found
    assert not problems, "\n".join(
        f"{url}:\n  " + "\n  ".join(found) for url, found in problems.items()
    )


def test_probe_a_planted_code_and_english_fail_the_audit(audit_site, reader_pages):
    page = reader_pages(AUDITOR)
    page.goto("/nl/dashboard")
    assert findings(page.evaluate(VISIBLE_TEXT, "nl"), "nl") == []
    page.evaluate(
        """() => {
          const main = document.querySelector("main");
          main.insertAdjacentHTML("beforeend",
            "<table><tr><td>ticket.view</td><td>first_name</td><td>fr</td></tr></table>"
            + "<p>Slaagpercentage: 50.0%</p><p>Please sign in with your account.</p>"
            + "<p lang='en'>Marked as English: not counted.</p>");
        }"""
    )
    found = findings(page.evaluate(VISIBLE_TEXT, "nl"), "nl")
    assert any("'ticket.view'" in line for line in found)
    assert any("'first_name'" in line for line in found)
    assert any("language code in 'fr'" in line for line in found)
    assert any("English number '0.0%'" in line for line in found)
    assert any("English 'please'" in line for line in found)
    assert not any("Marked as English" in line for line in found)
