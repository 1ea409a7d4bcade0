"""Every save is a revision: history, comparison, restore."""

import pytest

from content.extensions import db
from content.items import operations as items
from content.items.models import ContentItem
from tests.fixtures.web import post_form

pytestmark = pytest.mark.db


@pytest.fixture
def edited_page(create_page, content_admin):
    page = create_page(title="Versies", slug="versies", body="regel een\nregel twee", publish=False)
    items.save_revision(
        page,
        base_number=1,
        title="Versies",
        description="",
        body="regel een\nregel drie",
        actor=content_admin,
        comment="Twee vervangen door drie",
    )
    db.session.commit()
    return page


def test_history_lists_every_revision_with_author_and_comment(client, auth, edited_page):
    auth.login_as("editor")
    text = client.get(f"/nl/cms/items/{edited_page.id}/history").get_data(as_text=True)
    assert "Twee vervangen door drie" in text
    assert text.count("Content Admin") >= 2


def test_compare_shows_added_and_removed_lines(client, auth, edited_page):
    auth.login_as("reviewer")
    text = client.get(f"/nl/cms/items/{edited_page.id}/compare?a=1&b=2").get_data(as_text=True)
    assert "regel twee</del>" in text
    assert "regel drie</ins>" in text


def test_restore_creates_a_new_revision(client, auth, edited_page):
    auth.login_as("editor")
    response = post_form(client, f"/nl/cms/items/{edited_page.id}/restore/1", {})
    assert response.status_code == 302
    db.session.expire_all()
    item = db.session.get(ContentItem, edited_page.id)
    assert item.latest_revision_number == 3
    assert items.latest(item).body == "regel een\nregel twee"
    assert items.revision(item, 2).body == "regel een\nregel drie"  # history kept


def test_compare_unknown_revision_is_not_found(client, auth, edited_page):
    auth.login_as("editor")
    assert client.get(f"/nl/cms/items/{edited_page.id}/compare?a=1&b=99").status_code == 404
