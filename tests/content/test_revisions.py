"""Every save is a revision: history, comparison, restore."""

import re

import pytest

from content.extensions import db
from content.items import operations as items
from content.items.models import ContentItem
from tests.fixtures.web import post_form, translated

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


def test_compare_shows_the_changed_words_of_a_line(client, auth, edited_page):
    auth.login_as("reviewer")
    text = client.get(f"/nl/cms/items/{edited_page.id}/compare?a=1&b=2").get_data(as_text=True)
    shown = re.sub(r'<span class="visually-hidden">[^<]*</span>', "", text)
    assert (
        '<span class="diff-line diff-changed">regel <del class="diff-word">twee</del>'
        '<ins class="diff-word">drie</ins></span>'
    ) in shown
    assert '<span class="diff-line">regel een</span>' in text  # the unchanged line, once
    assert translated("nl", "Text") in text


def test_long_unchanged_stretches_fold_and_blank_lines_stay_single(
    client, auth, create_page, content_admin
):
    body = "# Titel\n\n" + "\n".join(f"Alinea {n}." for n in range(30)) + "\n\n\n\nSlot."
    page = create_page(title="Lang", slug="lang", body=body, publish=False)
    items.save_revision(
        page,
        base_number=1,
        title="Lang",
        description="",
        body=body.replace("Slot.", "Einde."),
        actor=content_admin,
    )
    db.session.commit()
    auth.login_as("reviewer")
    text = client.get(f"/nl/cms/items/{page.id}/compare?a=1&b=2").get_data(as_text=True)
    diff = re.search(r'<div class="diff"[^>]*>(.*?)</div>', text, re.S)[1]
    assert "\n" not in diff  # no white space of the template becomes a blank line
    assert "Alinea 0." not in diff  # folded
    # 36 lines, the last one changed: two lines of context are kept, 33 folded.
    assert re.search(r'class="diff-line diff-skipped">[^<]*\b33\b', diff)
    assert diff.count('<span class="diff-line"> </span>') == 2  # blank lines kept as lines
    assert re.search(r"<del class=\"diff-word\">(<span[^>]*>[^<]*</span>)?Slot<", diff)


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
