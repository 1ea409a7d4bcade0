"""The page frame kept per process: the same HTML as a direct rendering, for each reader."""

import re
from contextlib import contextmanager

import pytest
from flask import template_rendered

from content.chrome import EXTENSION, TEMPLATE
from content.kept import Kept

pytestmark = pytest.mark.db

#: Form tokens (the sign-out form's and WTForms' hidden fields); signed with a timestamp.
TOKEN = re.compile(r'(name="csrf_token"[^>]*? value=")([^"]+)"')


def _reader(app, create_user, email, name, roles):
    """A signed-in test client of its own (a second browser)."""
    from tests.fixtures.web import AuthActions

    reader = app.test_client()
    user = create_user(email=email, display_name=name, roles=roles)
    assert AuthActions(reader, create_user).login(user.email).status_code == 302
    return reader


@contextmanager
def _frames_rendered(app):
    """Collect the renderings of the frame template."""
    rendered = []

    def record(sender, template, context, **extra):
        if template.name == TEMPLATE:
            rendered.append(template)

    template_rendered.connect(record, app)
    try:
        yield rendered
    finally:
        template_rendered.disconnect(record, app)


def _page(client, url):
    """The page at ``url``; its tokens (signed with a timestamp) in a list of their own."""
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.get_data(as_text=True)
    tokens = [token for _, token in TOKEN.findall(html)]
    return TOKEN.sub(r'\1"', html), tokens


def _direct(app, client, url):
    """The page at ``url`` with its frame rendered for this request (nothing kept)."""
    kept = app.extensions[EXTENSION]
    app.extensions[EXTENSION] = Kept(0)
    try:
        return _page(client, url)
    finally:
        app.extensions[EXTENSION] = kept


def test_readers_get_the_frame_rendered_once_with_their_own_name_and_token(
    app, create_user, create_page
):
    create_page(title="Nieuws", slug="nieuws")
    anna = _reader(app, create_user, "anna@example.org", "Anna <Peeters>", ["agent"])
    bram = _reader(app, create_user, "bram@example.org", "Bram Janssens", ["agent"])
    anna.get("/nl/calls/")  # the frame of this endpoint, language and roles, kept
    with _frames_rendered(app) as rendered:
        anna_html, anna_tokens = _page(anna, "/nl/calls/")
        bram_html, bram_tokens = _page(bram, "/nl/calls/")
    assert rendered == []  # both pages used the kept frame

    assert "Anna &lt;Peeters&gt;" in anna_html
    assert "Bram" not in anna_html
    assert "Bram Janssens" in bram_html
    assert "Anna" not in bram_html
    assert anna_html == _direct(app, anna, "/nl/calls/")[0]
    assert bram_html == _direct(app, bram, "/nl/calls/")[0]
    # The sign-out form carries each reader's own token: it signs that reader out.
    assert anna_tokens
    assert bram_tokens
    assert anna_tokens[0] != bram_tokens[0]
    assert bram.post("/nl/logout", data={"csrf_token": anna_tokens[0]}).status_code == 400
    assert bram.post("/nl/logout", data={"csrf_token": bram_tokens[0]}).status_code == 302
    assert "Bram Janssens" not in bram.get("/nl/calls/").get_data(as_text=True)


def test_the_kept_frame_holds_no_name_and_no_token(app, create_user):
    anna = _reader(app, create_user, "anna@example.org", "Anna Peeters", ["agent"])
    _, tokens = _page(anna, "/fr/calls/")
    kept = "".join(
        "".join(part) for frame in app.extensions[EXTENSION]._values.values() for part in frame
    )
    assert "Anna" not in kept
    assert tokens
    assert tokens[0] not in kept


def test_the_current_menu_item_section_and_language_links_are_this_pages(
    app, create_user, create_page
):
    create_page(title="Nieuws", slug="nieuws")
    create_page(title="Over ons", slug="over-ons")
    anna = _reader(app, create_user, "anna@example.org", "Anna Peeters", ["agent"])
    for url in ("/nl/calls/", "/nl/dashboard", "/nl/nieuws", "/nl/over-ons", "/de/calls/"):
        html, _ = _page(anna, url)
        assert html == _direct(app, anna, url)[0], url
    html, _ = _page(anna, "/nl/calls/")
    assert '<a href="/nl/calls/" aria-current="page">' in html
    assert 'href="/en/calls/" hreflang="en"' in html
    html, _ = _page(anna, "/nl/over-ons")
    assert '<a href="/nl/over-ons" aria-current="page">' in html
    assert '<a href="/nl/nieuws">' in html
    assert 'href="/nl/calls/" aria-current' not in html
    assert "hreflang" in html
    assert 'href="/en/over-ons"' not in html


def test_flash_messages_and_the_sign_in_link_are_each_requests(app, client, create_user):
    anna = _reader(app, create_user, "anna@example.org", "Anna Peeters", ["agent"])
    with anna.session_transaction() as session:
        session["_flashes"] = [("success", "Eerste melding")]
    html, _ = _page(anna, "/nl/calls/")
    assert "Eerste melding" in html
    assert "Eerste melding" not in _page(anna, "/nl/calls/")[0]  # shown once

    visitor, _ = _page(client, "/nl/")
    assert 'href="/nl/login"' in visitor
    assert "Anna" not in visitor
    login, _ = _page(client, "/nl/login")
    assert login == _direct(app, client, "/nl/login")[0]
    assert 'href="/nl/login">' not in login  # no "Sign in" link on the sign-in page


def test_an_editor_sees_draft_sections_that_the_kept_frame_of_readers_does_not_show(
    app, create_user, create_page
):
    create_page(title="Nieuws", slug="nieuws")
    create_page(title="Geheim concept", slug="concept", publish=False)
    anna = _reader(app, create_user, "anna@example.org", "Anna Peeters", ["agent"])
    erik = _reader(app, create_user, "erik@example.org", "Erik Editor", ["editor"])
    for reader in (anna, erik, anna):
        html, _ = _page(reader, "/nl/nieuws")
        assert html == _direct(app, reader, "/nl/nieuws")[0]
        assert ("Geheim concept" in html) == (reader is erik)
