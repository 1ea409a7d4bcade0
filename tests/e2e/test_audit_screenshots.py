"""Screenshots of the ten most used pages at phone (390 px) and desktop (1366 px) width.

They land in ``test-output/e2e/pages/<width>/<endpoint>.png`` for people to look at
(before/after comparisons of layout changes); the test fails only when a page is missing.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import SCREENSHOT_DIRECTORY, sign_in
from tests.e2e.site_walk import pages

#: The pages agents, learners and supervisors open most, in the order of a working day.
MOST_USED = [
    "auth.login",
    "site.dashboard",
    "site.home",
    "calls.agent_home",
    "scripts.fill_form",
    "tickets.lookup_tickets",
    "tickets.view_ticket",
    "courses.view_module",
    "courses.view_lesson",
    "calls.dashboard",
]
WIDTHS = {390: 844, 1366: 768}


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_most_used_pages_are_photographed(browser, audit_site, width):
    walked = {page.endpoint: page for page in pages()}
    folder = SCREENSHOT_DIRECTORY / "pages" / str(width)
    folder.mkdir(parents=True, exist_ok=True)
    contexts = {}
    try:
        for endpoint in MOST_USED:
            account = walked[endpoint].account
            if account not in contexts:
                contexts[account] = browser.new_context(
                    base_url=audit_site.origin, viewport={"width": width, "height": WIDTHS[width]}
                )
                page = contexts[account].new_page()
                if account is not None:
                    sign_in(page, account, "nl")
            page = contexts[account].pages[0]
            with audit_site.app.app_context():
                url = walked[endpoint].url("nl")
            assert url, endpoint
            assert page.goto(url).ok, url
            page.screenshot(path=str(folder / f"{endpoint}.png"), full_page=True)
    finally:
        for context in contexts.values():
            context.close()
    assert sorted(path.stem for path in folder.glob("*.png")) == sorted(MOST_USED)
