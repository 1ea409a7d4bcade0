"""End-to-end: the second factor in Chromium, with an app code and a virtual security key.

WebAuthn needs a domain as relying party (not an IP address), so these tests talk to the
live server as ``localhost``; Chromium counts it a secure context like 127.0.0.1.
"""

from __future__ import annotations

import itertools
import time

import pyotp
import pytest
from playwright.sync_api import expect

from content.extensions import db
from content.users import operations
from tests.e2e.conftest import PASSWORD, TIMEOUT_MS, Account, catalog, sign_in
from tests.e2e.test_login_flow import blocking_violations, describe

pytestmark = pytest.mark.e2e

_numbers = itertools.count(1)


@pytest.fixture
def second_factor_required(live_server, monkeypatch):
    """Production settings: agents sign in with a second factor."""
    monkeypatch.setitem(live_server.app.config, "SECOND_FACTOR_REQUIRED_ROLES", ["agent"])


@pytest.fixture
def new_agent(live_server) -> Account:
    """A fresh agent with nothing enrolled (the live server outlives tests)."""
    number = next(_numbers)
    account = Account(f"second.factor{number}@example.org", f"Sam {number}", "en", ("agent",))
    with live_server.app.app_context():
        operations.create_user(
            account.email,
            PASSWORD,
            display_name=account.display_name,
            roles=account.roles,
            locale="en",
        )
        db.session.commit()
    return account


@pytest.fixture
def localhost_page(browser, live_server):
    """A page on the live server reached as ``localhost`` (a valid WebAuthn RP ID)."""
    origin = live_server.origin.replace("127.0.0.1", "localhost")
    context = browser.new_context(base_url=origin)
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page(), origin
    context.close()


def sign_out(page) -> None:
    page.get_by_role("button", name=catalog("en").gettext("Sign out"), exact=True).first.click()


def test_agent_enrols_an_app_then_signs_in_with_a_code(
    page, live_server, new_agent, second_factor_required, screenshot
):
    texts = catalog("en")
    sign_in(page, new_agent)
    # Nothing enrolled: the workspace is closed, enrolment opens.
    page.goto("/en/calls/")
    expect(page).to_have_url(live_server.url("/en/account/second-factor"))
    violations = blocking_violations(page)
    assert not violations, describe(violations, page.url)
    secret = page.locator("figcaption code").inner_text()
    code_field = page.get_by_label(texts.gettext("Six-digit code from the app"), exact=True)
    expect(code_field).to_have_attribute("autocomplete", "one-time-code")
    expect(code_field).to_have_attribute("inputmode", "numeric")
    code_field.fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name=texts.gettext("Confirm and turn on")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(texts.gettext("Recovery codes"))
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    screenshot(page, "recovery-codes")
    page.get_by_role("link", name=texts.gettext("I have saved them, continue")).click()
    expect(page).to_have_url(live_server.url("/en/dashboard"))

    sign_out(page)
    sign_in(page, new_agent)
    expect(page).to_have_url(live_server.url("/en/login/second-factor?next=/en/dashboard"))
    violations = blocking_violations(page)
    assert not violations, describe(violations, page.url)
    page.get_by_label(texts.gettext("Six-digit code"), exact=True).fill("000000")
    page.get_by_role("button", name=texts.gettext("Continue")).click()
    expect(page.locator(".field.has-error .error")).to_have_text(
        texts.gettext("This code is not correct or was already used.")
    )
    # A code of the next time step: the enrolment's own code cannot be used again.
    page.get_by_label(texts.gettext("Six-digit code"), exact=True).fill(
        pyotp.TOTP(secret).at(time.time() + 30)
    )
    page.get_by_role("button", name=texts.gettext("Continue")).click()
    expect(page).to_have_url(live_server.url("/en/dashboard"))


def test_agent_registers_a_security_key_and_signs_in_with_it(
    localhost_page, new_agent, second_factor_required, screenshot
):
    page, origin = localhost_page
    texts = catalog("en")
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": False,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    sign_in(page, new_agent)
    page.goto("/en/dashboard")
    expect(page).to_have_url(origin + "/en/account/second-factor")
    page.get_by_role("button", name=texts.gettext("Add a security key")).click()
    expect(page.locator(".flashes")).to_contain_text(
        texts.gettext("Your security key is registered.")
    )
    screenshot(page, "key-registered")
    page.goto("/en/dashboard")
    expect(page).to_have_url(origin + "/en/dashboard")

    sign_out(page)
    sign_in(page, new_agent)
    expect(page).to_have_url(origin + "/en/login/second-factor?next=/en/dashboard")
    page.get_by_role("button", name=texts.gettext("Use my security key")).click()
    expect(page).to_have_url(origin + "/en/dashboard")
    expect(page.get_by_role("heading", level=1)).to_contain_text(new_agent.display_name)
