"""End-to-end: ordering a module's lessons (mouse and keyboard) and following a module.

A trainer drags a lesson to its place, then moves one with the keyboard; a Dutch agent
enrols, reads a lesson and resumes from the catalogue; the trainer sees the progress.
axe-core checks the courses' screens on the way.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from content.auth.models import User
from content.extensions import db
from content.items import operations as items
from content.items.models import ContentItem
from content.workflow.operations import transition
from tests.e2e.conftest import DUTCH_AGENT, EVERY_ROLE, catalog, sign_in
from tests.e2e.test_login_flow import blocking_violations, describe

pytestmark = pytest.mark.e2e

LESSONS = ["Waarom we contacten opsporen", "Het eerste gesprek", "Privacy"]


def _module(live_server, title: str) -> int:
    """Create a published Dutch module with three published lessons; return its id."""
    with live_server.app.app_context():
        admin = db.session.scalar(select(User).where(User.email == EVERY_ROLE.email))
        module = items.create_item(
            items.language_root("nl"), "module", title=title, body="Over de opleiding.", actor=admin
        )
        transition(module, "publish", actor=admin)
        for lesson_title in LESSONS:
            lesson = items.create_item(
                module, "lesson", title=lesson_title, body=f"{lesson_title}.", actor=admin
            )
            transition(lesson, "publish", actor=admin)
        db.session.commit()
        return module.id


def _order(live_server, module_id: int) -> list[str]:
    with live_server.app.app_context():
        module = db.session.get(ContentItem, module_id)
        children = sorted(module.children, key=lambda child: child.position)
        return [items.latest(child).title for child in children]


def _check_axe(page, where):
    violations = blocking_violations(page)
    assert not violations, describe(violations, where)


def test_trainer_orders_lessons_by_drag_and_keyboard(page, live_server, screenshot):
    module_id = _module(live_server, "Ordenen met de muis")
    texts = catalog("en")
    sign_in(page, EVERY_ROLE)
    page.goto(f"/en/learn/trainer/modules/{module_id}")
    items_list = page.locator("#module-order > li")
    expect(items_list).to_have_count(3)
    _check_axe(page, "the module's settings and order")
    screenshot(page, "settings")

    # Drag the last lesson above the first.
    items_list.nth(2).drag_to(items_list.nth(0), target_position={"x": 20, "y": 2})
    expect(page.locator("#order-status")).to_have_text(texts.gettext("The new order is saved."))
    assert _order(live_server, module_id) == [LESSONS[2], LESSONS[0], LESSONS[1]]
    screenshot(page, "dragged")

    # Keyboard only: Tab to "Move down" of the first item and press Enter.
    page.reload()
    first = page.locator("#module-order > li").filter(has_text=LESSONS[2])
    button = first.get_by_role("button", name=texts.gettext("Move down"))
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/learn/trainer/modules/{module_id}#item-*")
    assert _order(live_server, module_id) == [LESSONS[0], LESSONS[2], LESSONS[1]]


def test_learner_follows_a_module_and_sees_the_progress(page, new_context, live_server, screenshot):
    _module(live_server, "Basisopleiding voor medewerkers")
    texts = catalog("nl")
    sign_in(page, DUTCH_AGENT, "nl")
    page.goto("/nl/learn/")
    page.locator("#main").get_by_role("link", name="Basisopleiding voor medewerkers").click()
    _check_axe(page, "the module page")
    screenshot(page, "module")
    page.get_by_role("button", name=texts.gettext("Enrol in this module")).click()
    page.get_by_role("link", name=LESSONS[0]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(LESSONS[0])
    _check_axe(page, "a lesson")
    screenshot(page, "lesson")
    page.get_by_role("button", name=texts.gettext("Mark as done and continue")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(LESSONS[1])
    page.goto("/nl/learn/")
    expect(
        page.get_by_role("heading", name=texts.gettext("Continue where you left off"))
    ).to_be_visible()
    _check_axe(page, "the catalogue")
    screenshot(page, "catalogue")

    trainer = new_context().new_page()
    sign_in(trainer, EVERY_ROLE)
    trainer.goto("/en/learn/trainer/progress")
    expect(trainer.locator("svg[role=img]")).to_be_visible()
    expect(trainer.get_by_role("row", name=DUTCH_AGENT.display_name)).to_contain_text("1 of 3")
    _check_axe(trainer, "the progress page")
    screenshot(trainer, "progress")
