"""An administrator creates an API client in the browser; the institute's system uses it.

axe-core checks the API clients page and the data dictionary; screenshots go to
test-output/e2e/.
"""

from __future__ import annotations

import json
import urllib.request

from playwright.sync_api import expect

from tests.e2e.conftest import EVERY_ROLE, catalog, sign_in
from tests.e2e.test_login_flow import blocking_violations, describe


def _check_axe(page, where):
    violations = blocking_violations(page)
    assert not violations, describe(violations, where)


def test_admin_creates_a_token_that_the_institute_then_uses(page, live_server, screenshot):
    texts = catalog("fr")
    sign_in(page, EVERY_ROLE, "fr")
    page.goto("/fr/exchange/clients")
    _check_axe(page, "the API clients page")

    # A name and no scope: refused beside the field, the name kept.
    page.get_by_label(texts.gettext("Client name")).fill("Sciensano")
    page.get_by_role("button", name=texts.gettext("Create client and token")).click()
    expect(page.get_by_label(texts.gettext("Client name"))).to_have_value("Sciensano")
    expect(page.get_by_text(texts.gettext("Choose at least one scope."))).to_be_visible()

    page.get_by_label("data:read", exact=False).check()
    page.get_by_role("button", name=texts.gettext("Create client and token")).click()
    token = page.get_by_label(texts.gettext("Token"), exact=True).input_value()
    assert token.startswith("tpi_")
    _check_axe(page, "the page showing the new token")
    screenshot(page, "token")

    # The institute's system calls the API with it, from outside the browser.
    url = live_server.url("/api/v1/data-dictionary")  # our own server on 127.0.0.1
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        assert "scripts" in json.load(answer)

    # The list now tells when the client was last used; the token is not shown again.
    page.goto("/fr/exchange/clients")
    expect(page.get_by_role("cell", name=texts.gettext("never"))).to_have_count(0)
    assert token not in page.content()

    page.goto("/fr/exchange/data-dictionary")
    expect(page.get_by_role("heading", name=texts.gettext("Data dictionary"))).to_be_visible()
    _check_axe(page, "the data dictionary")
    screenshot(page, "dictionary")
