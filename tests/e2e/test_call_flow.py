"""End-to-end: a call, a callback handled by another agent, a document, an escalation.

One story across three people, in Chromium, through the menus and buttons they use:

1. Agent Ada takes the next call (a French citizen's ticket), sees why she calls, and
   records "callback requested" for any agent tomorrow.
2. The citizen calls back. Agent Bram finds the ticket by the national register number
   (typed as people write it), opens it, updates it, issues a quarantine certificate in
   the citizen's language (PDF with verification code and QR; the public page confirms
   it), and escalates the ticket with a question.
3. Specialist Sara takes the question from her queue, answers it and closes the ticket;
   Bram sees the answer and the closed status on the ticket.

Screenshots of every step: test-output/e2e/test_call_flow-*.png (docs/documents.md).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from content.extensions import db
from content.pdf import extract_text
from content.users import operations as users
from tests.e2e.conftest import Account, catalog, sign_in
from tests.e2e.test_login_flow import blocking_violations, describe

pytestmark = pytest.mark.e2e

CALLER = Account("ada.agent@example.org", "Ada Agent", "en", ("agent",))
CALLBACK_AGENT = Account("bram.agent@example.org", "Bram Agent", "en", ("agent",))
SPECIALIST = Account("sara.specialist@example.org", "Dr. Sara Specialist", "en", ("specialist",))
#: The citizen: French, so her documents are in French whatever the agent reads.
CITIZEN = {
    "first_name": "Camille",
    "last_name": "Lefèvre",
    "national_number": "85.07.30-033.28",
    "birth_date": dt.date(1985, 7, 30),
    "phone": "0470 12 34 56",
    "language": "fr",
}
NOTE_ADDED = "Works from home until further notice."
QUESTION = "She has a fever again after five days: does the quarantine restart?"
ANSWER = "No restart: she should get tested; the quarantine ends as planned."


@pytest.fixture(scope="module")
def call_story(live_server):
    """Accounts, a campaign on the outbound-case script and one due call for the citizen.

    Returns the ticket's reference.
    """
    from tracing_app.calls import operations as calls
    from tracing_app.calls.models import Campaign
    from tracing_app.scripts.models import Script
    from tracing_app.tickets.operations import PersonData, create_ticket

    app = live_server.app
    with app.app_context():
        for account in (CALLER, CALLBACK_AGENT, SPECIALIST):
            users.create_user(
                account.email,
                account.password,
                display_name=account.display_name,
                roles=account.roles,
                locale=account.locale,
            )
        script = db.session.scalar(select(Script).where(Script.form_id == "outbound_case"))
        campaign = Campaign(
            name="Cases (e2e)",
            script_id=script.id,
            priority=100,  # before anything another test may have queued
            calling_start=dt.time(0, 0),
            calling_end=dt.time(23, 59, 59),
        )
        db.session.add(campaign)
        db.session.flush()
        ticket = create_ticket(PersonData(**CITIZEN), actor=None, source="e2e")
        order = calls.enqueue(campaign, due_dt=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
        order.ticket_id = ticket.id
        db.session.commit()
        return ticket.reference


def menu_link(page, name: str):
    """A link of the main menu."""
    return page.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name=name, exact=True
    )


def check_axe(page, found: dict[str, list[dict]], where: str) -> None:
    """Run axe on the page; keep its serious and critical violations under ``where``."""
    violations = blocking_violations(page)
    if violations:
        found[where] = violations


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out", exact=True).click()


def test_call_callback_document_escalation_and_answer(
    new_context, live_server, call_story, screenshot
):
    en = catalog("en").gettext
    reference = call_story
    axe_findings: dict[str, list[dict]] = {}

    # 1. Ada takes the next call and records "callback requested" for any agent.
    page = new_context().new_page()
    sign_in(page, CALLER)
    menu_link(page, en("Call lists")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(en("My calls"))
    page.locator("main").get_by_role("button", name=en("Next call"), exact=True).click()
    expect(page).to_have_url(re.compile(r".*/en/calls/orders/\d+$"))
    summary = page.locator(".call-summary")
    expect(summary).to_contain_text(reference)
    expect(summary).to_contain_text("Camille L.")  # the first name and an initial only
    expect(summary).not_to_contain_text("Lefèvre")
    expect(summary).to_contain_text(en("This is the first call."))
    screenshot(page, "01-before-dialling")

    page.get_by_label(en("Callback requested"), exact=True).check()
    tomorrow_ten = dt.datetime.combine(dt.date.today() + dt.timedelta(days=1), dt.time(10, 0))
    page.get_by_label(en("Call back at"), exact=True).fill(tomorrow_ten.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label(en("Any agent"), exact=True).check()
    page.get_by_label(en("Note"), exact=True).fill("Asked to be called back tomorrow morning.")
    screenshot(page, "02-callback-requested")
    page.locator("main").get_by_role("button", name=en("Save outcome"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(en("My calls"))
    expect(page.locator(".flash-success")).to_contain_text(en("Outcome saved."))
    sign_out(page)

    # 2. The citizen calls back: Bram finds the ticket by her national register number.
    page = new_context(accept_downloads=True).new_page()
    sign_in(page, CALLBACK_AGENT)
    menu_link(page, en("Find a ticket")).click()
    page.get_by_label(en("Search by"), exact=True).select_option("national_number")
    page.get_by_label(en("Reference, national number or phone"), exact=True).fill(
        "85073003328"  # digits only, as read from an identity card
    )
    page.get_by_label(en("Reason for the search"), exact=True).fill("inbound callback")
    page.locator("main").get_by_role("button", name=en("Search"), exact=True).click()
    results = page.get_by_role("region", name=re.compile("1 ticket found"))
    expect(results).to_contain_text(reference)
    expect(results).not_to_contain_text("Lefèvre")  # the minimum until the agent opens it
    screenshot(page, "03-lookup-result")
    results.get_by_role("link", name=re.compile(en("Open"))).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(page.locator("main")).to_contain_text("Lefèvre")
    attempts = page.get_by_role("region", name=en("Call attempts"))
    expect(attempts).to_contain_text(en("Callback requested"))
    screenshot(page, "04-ticket-opened")

    # Bram updates the ticket.
    page.get_by_role("link", name=en("Edit the ticket"), exact=True).click()
    page.get_by_label(en("Notes"), exact=True).fill(NOTE_ADDED)
    page.locator("main").get_by_role("button", name=en("Save"), exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text(en("The ticket is saved."))
    expect(page.locator("main")).to_contain_text(NOTE_ADDED)
    screenshot(page, "05-ticket-updated")

    # Bram issues a quarantine certificate: in French, the citizen's language.
    page.goto(f"/en/documents/tickets/{reference}/new")
    expect(page.get_by_role("heading", level=1)).to_have_text(en("Issue a document"))
    check_axe(page, axe_findings, "the issue form")
    page.get_by_label(en("Quarantine certificate"), exact=True).check()
    start, end = dt.date.today(), dt.date.today() + dt.timedelta(days=7)
    page.get_by_label(en("First day of quarantine"), exact=True).fill(start.isoformat())
    page.get_by_label(en("Last day of quarantine"), exact=True).fill(end.isoformat())
    page.locator("main").get_by_role("button", name=en("Issue the document"), exact=True).click()
    expect(page.locator("#document-state")).to_have_text(en("Valid"))
    screenshot(page, "06-document-issued")
    check_axe(page, axe_findings, "the document page")
    with page.expect_download() as download_info:
        page.locator("main").get_by_role("button", name=en("Download the PDF"), exact=True).click()
    pdf = download_info.value.path().read_bytes()
    text = extract_text(pdf)
    fr = catalog("fr").gettext
    assert fr("Quarantine certificate") in text
    assert "Camille Lefèvre" in text
    verify_url = re.search(r"http://\S+/fr/verify-document/[0-9A-Z]+", text).group(0)
    page.reload()
    expect(
        page.locator("main").get_by_role("button", name=re.compile(en("Reprint")))
    ).to_be_visible()

    # Anyone with the QR code (an employer) sees the state and the initials only.
    public = new_context().new_page()
    public.goto(verify_url)
    expect(public.locator("#verification-state")).to_have_text(
        fr("This document is genuine and valid.")
    )
    expect(public.locator("main")).to_contain_text("C. L.")
    expect(public.locator("main")).not_to_contain_text("Lefèvre")
    screenshot(public, "07-public-verification")
    check_axe(public, axe_findings, "the public verification page")

    # Bram escalates the ticket with a question.
    page.goto(f"/en/tickets/{reference}")
    page.get_by_role("link", name=en("Escalate to a specialist"), exact=True).click()
    page.get_by_label(en("Question for the specialist"), exact=True).fill(QUESTION)
    page.locator("main").get_by_role("button", name=en("Escalate"), exact=True).click()
    expect(page.get_by_role("region", name=en("Escalations"))).to_contain_text(QUESTION)
    screenshot(page, "08-escalated")

    # 3. Sara takes the question from her queue and resolves it.
    specialist = new_context().new_page()
    sign_in(specialist, SPECIALIST)
    menu_link(specialist, en("Escalations")).click()
    specialist.locator("main").get_by_role(
        "button", name=f"{en('Take')} {reference}", exact=True
    ).click()
    expect(specialist.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(specialist.locator("main")).to_contain_text(QUESTION)
    specialist.get_by_label(en("Answer"), exact=True).fill(ANSWER)
    specialist.get_by_label(en("Then"), exact=True).select_option(label=en("Close the ticket"))
    screenshot(specialist, "09-specialist-answers")
    specialist.locator("main").get_by_role(
        "button", name=en("Answer and resolve"), exact=True
    ).click()
    expect(specialist.locator("main")).not_to_contain_text(QUESTION)

    # Bram sees the answer and the closed ticket.
    page.goto(f"/en/tickets/{reference}")
    expect(page.locator(".lead .state")).to_have_text(en("closed"))
    expect(page.get_by_role("region", name=en("Escalations"))).to_contain_text(ANSWER)
    screenshot(page, "10-resolved")

    # The documents' pages pass axe (serious and critical findings), checked at the end so
    # that one finding does not hide the rest of the story.
    assert not axe_findings, "\n".join(describe(v, w) for w, v in axe_findings.items())
