"""Audit: every page fits a phone (390 × 844 CSS px) in Chromium, in Dutch and German.

For each page of the walk (``site_walk.pages``): nothing sticks out sideways (wide tables
scroll inside their own container), the header leaves the content in the first third of
the screen, and touch targets are large enough (WCAG 2.5.8, axe's ``target-size`` rule).
The probe plants a wide table to prove the audit fails when a page overflows.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import sign_in
from tests.e2e.site_walk import WalkedPage, pages

PHONE = {"width": 390, "height": 844}
#: The content (``<main>``) starts in the first third of the first screen.
CONTENT_TOP_LIMIT = PHONE["height"] / 3
AXE = Axe()

#: What sticks out of the viewport, leaving out what scrolls inside its own container.
MEASURE = """() => {
  const viewport = document.documentElement.clientWidth;
  const clipped = (element) => {
    for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
      const overflow = getComputedStyle(up).overflowX;
      if (overflow !== "visible") return true;
    }
    return false;
  };
  const name = (element) => element.tagName.toLowerCase()
    + (element.id ? "#" + element.id : "")
    + (element.classList.length ? "." + [...element.classList].join(".") : "");
  const wide = [];
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.width && box.right > viewport + 1 && !clipped(element)
        && element.checkVisibility({ visibilityProperty: true })
        && getComputedStyle(element).position !== "fixed"
        && !element.closest(".visually-hidden, .skip-link")) {
      wide.push(name(element) + " (" + Math.round(box.right) + " px)");
    }
  }
  const main = document.querySelector("main");
  return {
    scrollWidth: document.documentElement.scrollWidth,
    viewport: viewport,
    contentTop: main ? main.getBoundingClientRect().top + window.scrollY : null,
    wide: wide.slice(0, 5),
  };
}"""


def phone_findings(page) -> list[str]:
    """Return what keeps the open page from fitting a phone (empty when it fits)."""
    found = page.evaluate(MEASURE)
    findings = []
    if found["scrollWidth"] > found["viewport"]:
        findings.append(
            f"page is {found['scrollWidth']} px wide on a {found['viewport']} px screen: "
            + ", ".join(found["wide"])
        )
    if found["contentTop"] is None or found["contentTop"] > CONTENT_TOP_LIMIT:
        findings.append(
            f"content starts at {found['contentTop']} px (limit {CONTENT_TOP_LIMIT:.0f})"
        )
    violations = AXE.run(page, options={"runOnly": ["target-size"]}).response["violations"]
    for violation in violations:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
        findings.append(f"touch targets too small or too close: {', '.join(targets[:5])}")
    return findings


@pytest.fixture(scope="module")
def phone_pages(browser, audit_site):
    """One phone-sized page per account (visitor, auditor), signed in once for the module."""
    opened = {}

    def page_for(account):
        if account not in opened:
            context = browser.new_context(base_url=audit_site.origin, viewport=PHONE)
            context.set_default_timeout(10_000)
            page = context.new_page()
            if account is not None:
                sign_in(page, account)
            opened[account] = page
        return opened[account]

    yield page_for
    for page in opened.values():
        page.context.close()


#: Dutch (most agents) and German (the longest words).
PHONE_LANGUAGES = ["nl", "de"]


@pytest.mark.parametrize("walked", pages(), ids=lambda walked: walked.endpoint)
def test_page_fits_a_phone(audit_site, phone_pages, walked: WalkedPage):
    page = phone_pages(walked.account)
    problems = []
    for language in PHONE_LANGUAGES:
        with audit_site.app.app_context():
            url = walked.url(language)
        if url is None:
            pytest.skip(f"no row to show on {walked.rule}")
        response = page.goto(url)
        assert response.status < 500, url
        findings = phone_findings(page)
        if findings:
            problems.append(f"{url} on a phone:\n  " + "\n  ".join(findings))
    assert not problems, "\n".join(problems)


def test_probe_a_planted_wide_table_fails_the_audit(audit_site, phone_pages):
    page = phone_pages(None)
    page.goto("/nl/login")
    assert phone_findings(page) == []
    page.evaluate(
        """() => {
          const table = document.createElement("table");
          table.style.display = "table";  // as a table of a template that forgot to scroll
          table.style.whiteSpace = "nowrap";
          table.innerHTML = "<tr>" + "<td>Quarantainecertificaat</td>".repeat(12) + "</tr>";
          document.querySelector("main").append(table);
        }"""
    )
    findings = phone_findings(page)
    assert findings
    assert "px wide on a 390 px screen" in findings[0]
