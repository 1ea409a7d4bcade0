"""End-to-end: the screenshots of the workspace lessons, taken on the platform in each language.

The lessons of "Using the workspace" (``lms/seed/training/using-the-workspace``) show the
agent's screens. This test takes them on the live site in Dutch, French, English and
German, on the pages an agent uses: *My calls*, the call page after *Next call*, and
*Find a ticket*. It always writes them to ``test-output/e2e/seed/<language>/``; with
``UPDATE_SEED_SCREENSHOTS=1`` it also replaces the seed's copies under
``<language>/media/`` (commit them: ``init --demo`` installs them with the lessons).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from content.extensions import db
from content.users import operations as users
from lms.seed.training import TRAINING_DIRECTORY
from tests.e2e.conftest import REPOSITORY_ROOT, Account, catalog, sign_in

pytestmark = pytest.mark.e2e

LANGUAGES = ("nl", "fr", "en", "de")
AGENT = Account("seed.agent@example.org", "Sam Screenshot", "en", ("agent",))
#: A fictitious citizen (valid national register number, invented name).
CITIZEN = {
    "first_name": "Lotte",
    "last_name": "Voorbeeld",
    "national_number": "90.02.01-997.04",
    "birth_date": dt.date(1990, 2, 1),
    "phone": "0470 98 76 54",
    "language": "nl",
}
VIEWPORT = {"width": 1200, "height": 760}
SEED_MEDIA = TRAINING_DIRECTORY / "using-the-workspace"
OUTPUT = REPOSITORY_ROOT / "test-output" / "e2e" / "seed"
#: The screenshots the lessons show, by file name: the page and its heading's msgid.
SHOTS = {
    "my-calls.png": ("/calls/", "My calls"),
    "call-page.png": (None, None),  # the call held after Next call (its URL is found)
    "find-a-ticket.png": ("/tickets/lookup", "Find a ticket"),
}


@pytest.fixture(scope="module")
def due_call(live_server):
    """An agent and one due call for the citizen, in a campaign of its own.

    The campaign is made inactive afterwards, so no other test's *Next call* gets the call.
    """
    from tracing_app.calls import operations as calls
    from tracing_app.calls.models import Campaign
    from tracing_app.scripts.models import Script
    from tracing_app.tickets.operations import PersonData, create_ticket

    app = live_server.app
    with app.app_context():
        users.create_user(
            AGENT.email,
            AGENT.password,
            display_name=AGENT.display_name,
            roles=AGENT.roles,
            locale=AGENT.locale,
        )
        script = db.session.scalar(select(Script).where(Script.form_id == "outbound_case"))
        campaign = Campaign(
            name="Cases",
            script_id=script.id,
            priority=200,  # this agent's Next call gives this call
            calling_start=dt.time(0, 0),
            calling_end=dt.time(23, 59, 59),
        )
        db.session.add(campaign)
        db.session.flush()
        ticket = create_ticket(PersonData(**CITIZEN), actor=None, source="e2e")
        order = calls.enqueue(campaign, due_dt=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
        order.ticket_id = ticket.id
        db.session.commit()
        reference, campaign_id = ticket.reference, campaign.id
    yield reference
    with app.app_context():
        db.session.get(Campaign, campaign_id).active = False
        db.session.commit()


def test_workspace_screenshots_in_every_language(new_context, live_server, due_call):
    en = catalog("en").gettext
    page = new_context().new_page()
    sign_in(page, AGENT)
    page.goto("/en/calls/")
    page.locator("main").get_by_role("button", name=en("Next call"), exact=True).click()
    expect(page).to_have_url(re.compile(r".*/en/calls/orders/\d+$"))
    call_path = re.sub(r"^.*/en/", "/", page.url)
    expect(page.locator(".call-summary")).to_contain_text(due_call)

    update = os.environ.get("UPDATE_SEED_SCREENSHOTS") == "1"
    for language in LANGUAGES:
        gettext = catalog(language).gettext
        # a browser in the language (date fields follow it), the same agent and held call
        page = new_context(viewport=VIEWPORT, locale=f"{language}-BE").new_page()
        sign_in(page, AGENT, language)
        folder = OUTPUT / language
        folder.mkdir(parents=True, exist_ok=True)
        for name, (path, heading) in SHOTS.items():
            page.goto(f"/{language}{path or call_path}")
            expect(page.locator("html")).to_have_attribute("lang", language)
            if heading:
                expect(page.get_by_role("heading", level=1)).to_have_text(gettext(heading))
            else:
                summary = page.locator(".call-summary")
                expect(summary).to_contain_text(gettext("This is the first call."))
            page.screenshot(path=str(folder / name))
            if update:
                target = SEED_MEDIA / language / "media" / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(folder / name, target)

    page = new_context().new_page()
    sign_in(page, AGENT)
    page.goto(f"/en{call_path}")  # give the call back: nothing stays held after the test
    page.locator("main").get_by_role("button", name=en("Release the call"), exact=True).click()


def test_the_seed_has_every_screenshot_in_every_language():
    for language in LANGUAGES:
        media = SEED_MEDIA / language / "media"
        assert sorted(path.name for path in media.glob("*.png")) == sorted(SHOTS), language
        for path in media.glob("*.png"):
            assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
