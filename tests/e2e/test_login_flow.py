"""End-to-end: signing in, switching language, accessibility, no JavaScript, no third parties.

Expected texts come from the compiled catalogs (``tracing-app translations compile``),
never from strings copied into the tests.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from content.config import DefaultConfig
from tests.e2e.conftest import DUTCH_AGENT, EVERY_ROLE, catalog, sign_in

pytestmark = pytest.mark.e2e

LANGUAGES = DefaultConfig.LANGUAGES
#: axe impacts that fail a test; "minor" and "moderate" findings are left to reviews.
BLOCKING_IMPACTS = {"serious", "critical"}

AXE = Axe()


def test_dutch_agent_signs_in_and_switches_to_french(page, live_server, screenshot):
    english, dutch, french = catalog("en"), catalog("nl"), catalog("fr")

    sign_in(page, DUTCH_AGENT, "en")

    expect(page).to_have_url(live_server.url("/nl/dashboard"))
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    cookie_name = live_server.app.config["SESSION_COOKIE_NAME"]
    assert [c["secure"] for c in page.context.cookies() if c["name"] == cookie_name] == [True]
    switcher = page.get_by_role("navigation", name=dutch.gettext("Language"), exact=True)
    switcher.locator("a[hreflang='fr']").click()

    expect(page).to_have_url(live_server.url("/fr/dashboard"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    screenshot(page)

    dashboard = french.gettext("Dashboard")
    assert dashboard != english.gettext("Dashboard"), (
        "the French catalog does not translate 'Dashboard': translate translations/fr and run "
        "`tracing-app translations compile`"
    )
    greeting = french.gettext("Hello %(name)s") % {"name": DUTCH_AGENT.display_name}
    expect(page.get_by_role("heading", level=1)).to_have_text(greeting)
    expect(page).to_have_title(f"{dashboard} · {live_server.app.config['SITE_NAME']}")
    menu = page.get_by_role("navigation", name=french.gettext("Main menu"), exact=True)
    expect(menu.get_by_role("link", name=dashboard, exact=True)).to_have_attribute(
        "aria-current", "page"
    )


def blocking_violations(page) -> list[dict]:
    """Run axe-core on the page; return its violations of serious or critical impact."""
    results = AXE.run(page)
    return [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]


def describe(violations: list[dict], where: str) -> str:
    """Return a readable list of axe violations: rule, impact, help and target selectors."""
    lines = [f"{len(violations)} serious or critical accessibility violation(s) on {where}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            f" <{violation['helpUrl']}>"
        )
        lines.extend(f"    {' '.join(map(str, node['target']))}" for node in violation["nodes"])
    return "\n".join(lines)


@pytest.mark.parametrize("language", LANGUAGES)
def test_login_page_is_accessible(page, language):
    page.goto(f"/{language}/login")
    expect(page.locator("html")).to_have_attribute("lang", language)
    violations = blocking_violations(page)
    assert not violations, describe(violations, page.url)


@pytest.mark.parametrize("language", LANGUAGES)
def test_login_errors_are_accessible(page, language):
    page.goto(f"/{language}/login")
    page.get_by_role("button", name=catalog(language).gettext("Sign in"), exact=True).click()
    expect(page.locator("[aria-invalid='true']")).to_have_count(2)
    violations = blocking_violations(page)
    assert not violations, describe(violations, f"{page.url} (form with errors)")


@pytest.mark.parametrize("language", LANGUAGES)
def test_dashboard_is_accessible(page, live_server, language):
    sign_in(page, EVERY_ROLE)
    page.goto(f"/{language}/dashboard")
    expect(page).to_have_url(live_server.url(f"/{language}/dashboard"))
    violations = blocking_violations(page)
    assert not violations, describe(violations, page.url)


def test_signing_in_works_without_javascript(new_context, live_server):
    page = new_context(java_script_enabled=False).new_page()
    page.set_content("<p id='probe'></p><script>probe.textContent = 'scripts run'</script>")
    expect(page.locator("#probe")).to_have_text("")  # the context really runs no scripts

    sign_in(page, DUTCH_AGENT)

    expect(page).to_have_url(live_server.url("/nl/dashboard"))
    greeting = catalog("nl").gettext("Hello %(name)s") % {"name": DUTCH_AGENT.display_name}
    expect(page.get_by_role("heading", level=1)).to_have_text(greeting)


def test_every_request_goes_to_the_site_itself(context, page, live_server):
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))

    page.goto("/en/login", wait_until="networkidle")
    sign_in(page, DUTCH_AGENT)
    expect(page).to_have_url(live_server.url("/nl/dashboard"))
    page.wait_for_load_state("networkidle")

    assert live_server.url("/static/css/site.css") in requested, requested
    foreign = [url for url in requested if not url.startswith(live_server.origin + "/")]
    assert not foreign, f"requests that left {live_server.origin}: {foreign}"
