"""End-to-end: the call desktop, the screen pop, offline branching and the live wallboard.

In Chromium, as agents and supervisors work:

1. An inbound call for a known number (spelt as the telephony sends it) pops the ticket
   and the inbound script on one screen.
2. An outbound call from "Next call" to its outcome with the keyboard only.
3. With the network down, the script still branches in the browser.
4. A supervisor's wallboard (second browser context) shows an agent's state change live.

Screenshots: test-output/e2e/test_call_desktop_flow-*.png.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from content.extensions import db
from content.users import operations as users
from tests.e2e.conftest import Account, sign_in

pytestmark = pytest.mark.e2e

INBOUND_AGENT = Account("iris.agent@example.org", "Iris Agent", "en", ("agent",))
OUTBOUND_AGENT = Account("otto.agent@example.org", "Otto Agent", "en", ("agent",))
BOARD_AGENT = Account("wim.agent@example.org", "Wim Agent", "en", ("agent",))
SUPERVISOR = Account("suzy.supervisor@example.org", "Suzy Supervisor", "en", ("supervisor",))


@pytest.fixture(scope="module")
def desktop_story(live_server):
    """Accounts, a known caller's ticket, and one due outbound call on the case script.

    Returns (the caller's ticket reference, the outbound ticket's reference).
    """
    from tracing_app.calls import operations as calls
    from tracing_app.calls.models import Campaign
    from tracing_app.scripts.models import Script
    from tracing_app.tickets.operations import PersonData, create_ticket

    app = live_server.app
    with app.app_context():
        for account in (INBOUND_AGENT, OUTBOUND_AGENT, BOARD_AGENT, SUPERVISOR):
            users.create_user(
                account.email,
                account.password,
                display_name=account.display_name,
                roles=account.roles,
                locale=account.locale,
            )
        caller = create_ticket(
            PersonData(first_name="Karel", last_name="Maes", phone="+32478998877", language="en"),
            actor=None,
            source="e2e",
        )
        script = db.session.scalar(select(Script).where(Script.form_id == "outbound_case"))
        campaign = Campaign(
            name="Cases (desktop e2e)",
            script_id=script.id,
            priority=200,  # before anything another test may have queued
            calling_start=dt.time(0, 0),
            calling_end=dt.time(23, 59, 59),
        )
        db.session.add(campaign)
        db.session.flush()
        called = create_ticket(
            PersonData(first_name="Lotte", phone="0470 55 44 33", language="en"),
            actor=None,
            source="e2e",
        )
        order = calls.enqueue(campaign, due_dt=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
        order.ticket_id = called.id
        db.session.commit()
        return caller.reference, called.reference


def test_an_inbound_screen_pop_opens_the_ticket_and_script_on_one_screen(
    page, live_server, desktop_story, screenshot
):
    reference, _outbound = desktop_story
    sign_in(page, INBOUND_AGENT)
    page.goto("/en/calls/screen-pop?caller=0478%2099%2088%2077&call_id=pbx-e2e-1")
    # The pop sends itself: the call desktop with the ticket and the inbound script.
    expect(page).to_have_url(re.compile(r".*/en/calls/orders/\d+#script$"))
    expect(page.locator(".call-summary")).to_contain_text(reference)
    expect(page.locator("#script-form")).to_be_visible()
    expect(page.get_by_role("heading", name="How did the call end?")).to_be_visible()
    screenshot(page, "01-screen-pop")


def test_an_outbound_call_with_the_keyboard_only(page, live_server, desktop_story, screenshot):
    _inbound, reference = desktop_story
    sign_in(page, OUTBOUND_AGENT)
    page.goto("/en/calls/")
    page.locator("#next-call").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r".*/en/calls/orders/\d+$"))
    expect(page.locator(".call-summary")).to_contain_text(reference)
    expect(page.locator("#dial")).to_have_attribute("href", "tel:+32470554433")
    open_script = page.get_by_role("button", name="Open the call script")
    open_script.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r".*/en/calls/orders/\d+#script$"))
    # Type the first answer, then Alt+N to the next section, Alt+S to save.
    page.locator("#f-called_name").focus()
    page.keyboard.type("Lotte")
    page.locator("#f-consent-yes").focus()
    page.keyboard.press("Space")  # consent: the identification section opens
    expect(page.locator("#q-identification")).to_be_visible()
    page.locator("#f-called_name").focus()
    page.keyboard.press("Alt+N")
    expect(page.locator("#q-identification input:not([type=hidden])").first).to_be_focused()
    with page.expect_navigation():  # "Save and check": the page comes back from the server
        page.keyboard.press("Alt+S")
    expect(page.locator("#f-called_name")).to_have_value("Lotte")
    # Alt+O: the outcome; arrow keys choose, Tab to the button, Enter saves.
    page.keyboard.press("Alt+O")
    expect(page.locator("#outcome input[type=radio]").first).to_be_focused()
    page.keyboard.press("Space")
    outcome_button = page.locator("#outcome").get_by_role("button")
    outcome_button.focus()
    screenshot(page, "02-keyboard-outcome")
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url("/en/calls/"))
    expect(page.get_by_text("Outcome saved.")).to_be_visible()
    expect(page.locator("#my-state")).to_contain_text("Wrap-up")


def test_the_script_branches_offline(page, live_server, desktop_story):
    sign_in(page, INBOUND_AGENT)
    page.goto("/en/calls/screen-pop?caller=%2B32478998877")
    expect(page).to_have_url(re.compile(r".*/en/calls/orders/\d+#script$"))
    section = page.locator("#q-call_reason")
    page.route("**/autosave", lambda route: route.abort())  # the network is down
    expect(section).to_be_visible()
    # The inbound script asks who calls; "other person" shows the caller's name field.
    name_question = page.locator("#q-caller_name")
    expect(name_question).to_be_hidden()
    page.locator("#f-caller_role-other_person").check()
    expect(name_question).to_be_visible()
    expect(page.locator("#save-status")).to_have_text(
        "Not saved yet: no connection. Your answers are kept in this browser."
    )
    page.locator("#f-caller_role-self").check()
    expect(name_question).to_be_hidden()
    page.unroute("**/autosave")


def test_a_state_change_appears_live_on_the_wallboard(new_context, live_server, desktop_story):
    supervisor = new_context().new_page()
    sign_in(supervisor, SUPERVISOR)
    agent = new_context().new_page()
    sign_in(agent, BOARD_AGENT)
    supervisor.goto("/en/calls/wallboard")
    row = supervisor.locator("#board-agents tr", has_text="Wim Agent")
    expect(row).to_contain_text("Available")
    expect(supervisor.locator("#board-status")).to_have_text("Live")
    agent.goto("/en/calls/")
    agent.get_by_role("button", name="Take a break").click()
    # No reload: the stream brings the change.
    expect(row).to_contain_text("Break", timeout=10_000)
