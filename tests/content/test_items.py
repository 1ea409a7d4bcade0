"""Content items: the tree, visibility, editing with preview, slugs, ordering, conflicts."""

import re

import pytest
from markupsafe import escape
from sqlalchemy import select

from content.extensions import db
from content.items.models import ContentItem
from tests.fixtures.web import post_form, translated

pytestmark = pytest.mark.db


def _item(item_id):
    db.session.expire_all()
    return db.session.get(ContentItem, item_id)


def test_language_roots_are_the_home_pages(client, roots):
    for language in ["nl", "fr", "de", "en"]:
        response = client.get(f"/{language}/")
        assert response.status_code == 200
        assert f'<html lang="{language}">' in response.get_data(as_text=True)


def test_editor_creates_a_draft_that_visitors_do_not_see(app, client, auth, roots):
    auth.login_as("editor")
    response = post_form(
        client,
        f"/nl/cms/new/{roots['nl'].id}",
        {
            "type": "page",
            "title": "Quarantaine: de regels",
            "body": "# Regels\n\nBlijf **thuis**.",
            "save": "1",
        },
    )
    assert response.status_code == 302
    assert response.location == "/nl/quarantaine-de-regels"
    page = client.get(response.location).get_data(as_text=True)
    assert "<strong>thuis</strong>" in page
    assert translated("nl", "Visitors do not see this item.") in page

    visitor = app.test_client()
    assert visitor.get("/nl/quarantaine-de-regels").status_code == 404
    assert "Quarantaine: de regels" not in visitor.get("/nl/").get_data(as_text=True)


def test_preview_renders_like_the_page_and_saves_nothing(client, auth, roots):
    auth.login_as("editor")
    response = post_form(
        client,
        f"/nl/cms/new/{roots['nl'].id}",
        {
            "type": "page",
            "title": "Voorbeeld",
            "body": "| a | b |\n|---|---|\n| 1 | 2 |",
            "preview": "1",
        },
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<table>" in text
    assert 'value="Voorbeeld"' in text  # the form keeps what was typed
    assert db.session.scalar(select(ContentItem).where(ContentItem.slug == "voorbeeld")) is None


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        (
            "Hoofdletters",
            "Use lower-case letters, digits and hyphens only (for example: quarantine-rules).",
        ),
        ("login", "This address is used by the site itself. Choose another."),
        ("cms", "This address is used by the site itself. Choose another."),
        ("taken", "Another item in this folder already uses this address."),
    ],
)
def test_bad_slugs_are_refused_beside_the_field(client, auth, roots, create_page, slug, message):
    create_page(title="Taken", slug="taken")
    auth.login_as("editor")
    response = post_form(
        client,
        f"/nl/cms/new/{roots['nl'].id}",
        {"type": "page", "title": "Mijn titel", "slug": slug, "body": "Mijn tekst", "save": "1"},
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert str(escape(translated("nl", message))) in text
    assert 'id="slug-error"' in text
    assert "Mijn tekst" in text


def test_editing_a_published_page_keeps_the_live_text_until_published(
    app, client, auth, create_page
):
    page = create_page(title="Live titel", body="Oude tekst")
    auth.login_as("editor")
    response = post_form(
        client,
        f"/nl/cms/items/{page.id}/edit",
        {
            "title": "Live titel",
            "slug": page.slug,
            "body": "Nieuwe tekst",
            "base_number": "1",
            "save": "1",
        },
    )
    assert response.status_code == 302
    visitor = app.test_client()
    assert "Oude tekst" in visitor.get(f"/nl/{page.slug}").get_data(as_text=True)
    editor_view = client.get(f"/nl/{page.slug}").get_data(as_text=True)
    assert "Nieuwe tekst" in editor_view
    assert (
        translated(
            "nl",
            "Visitors see revision %(live)d; you are looking at revision %(latest)d.",
            live=1,
            latest=2,
        )
        in editor_view
    )
    assert _item(page.id).state == "private"


def test_second_editor_gets_a_conflict_and_keeps_their_text(
    app, client, auth, create_user, create_page
):
    from tests.fixtures.web import AuthActions

    page = create_page(title="Gedeeld", body="Begin")
    first = app.test_client()
    create_user(email="first@example.org", roles=["editor"], display_name="Eerste")
    AuthActions(first, None).login("first@example.org")
    auth.login_as("editor")

    for editor, body in [(first, "Tekst van de eerste"), (client, "Tekst van de tweede")]:
        response = post_form(
            editor,
            f"/nl/cms/items/{page.id}/edit",
            {"title": "Gedeeld", "slug": page.slug, "body": body, "base_number": "1", "save": "1"},
        )
    text = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Tekst van de eerste" in text  # their text
    assert "Tekst van de tweede" in text  # mine, kept in the form
    assert 'name="base_number" type="hidden" value="2"' in text
    assert _item(page.id).latest_revision_number == 2  # nothing overwritten

    response = post_form(
        client,
        f"/nl/cms/items/{page.id}/edit",
        {
            "title": "Gedeeld",
            "slug": page.slug,
            "body": "Samengevoegd",
            "base_number": "2",
            "save": "1",
        },
    )
    assert response.status_code == 302
    assert _item(page.id).latest_revision_number == 3


def test_renaming_a_folder_moves_everything_below(client, auth, create_page):
    folder = create_page(type="folder", title="Opleiding", slug="opleiding")
    child = create_page(parent=folder, title="Les 1", slug="les-1")
    auth.login_as("editor")
    post_form(
        client,
        f"/nl/cms/items/{folder.id}/edit",
        {"title": "Opleiding", "slug": "training", "body": "", "base_number": "1", "save": "1"},
    )
    assert _item(child.id).path == "nl/training/les-1"
    assert client.get("/nl/training/les-1").status_code == 200


def test_children_are_ordered_and_can_be_moved(client, auth, create_page):
    folder = create_page(type="folder", title="Map", slug="map")
    first = create_page(parent=folder, title="Eerste")
    create_page(parent=folder, title="Tweede")
    auth.login_as("editor")
    post_form(client, f"/nl/cms/items/{first.id}/move", {"offset": "1"})
    text = client.get("/nl/map").get_data(as_text=True)
    assert text.index("Tweede") < text.index("Eerste")


def test_breadcrumbs_and_folder_listing(client, create_page):
    folder = create_page(type="folder", title="Opleiding", slug="opleiding")
    create_page(parent=folder, title="Les over contacten", slug="les")
    listing = client.get("/nl/opleiding").get_data(as_text=True)
    assert '<a href="/nl/opleiding/les">Les over contacten</a>' in listing
    page = client.get("/nl/opleiding/les").get_data(as_text=True)
    assert f'aria-label="{translated("nl", "Breadcrumbs")}"' in page
    assert '<a href="/nl/opleiding">Opleiding</a>' in page


def test_titles_are_escaped(client, create_page):
    create_page(title='<script>alert("x")</script>', slug="xss")
    text = client.get("/nl/xss").get_data(as_text=True)
    assert '<script>alert("x")</script>' not in text
    assert "&lt;script&gt;" in text


def test_editor_dashboard_lists_drafts_reviews_and_translations(client, auth, create_page, roots):
    from content.items import operations as items
    from content.workflow.operations import transition

    editor = auth.login_as("editor")
    mine = items.create_item(roots["nl"], "page", title="Mijn concept", actor=editor)
    waiting = items.create_item(roots["nl"], "page", title="Wacht op nalezing", actor=editor)
    transition(waiting, "submit", actor=editor)
    db.session.commit()
    text = client.get("/nl/cms/").get_data(as_text=True)
    assert "Mijn concept" in text
    assert "Wacht op nalezing" in text
    assert mine.path in text


@pytest.mark.parametrize(
    ("existing", "expected"),
    [([], "page"), (["page", "folder"], "page"), (["folder", "folder", "page"], "folder")],
)
def test_new_item_starts_with_the_most_common_type_of_the_folder(
    client, auth, roots, create_page, existing, expected
):
    for kind in existing:
        create_page(type=kind)
    auth.login_as("editor")
    html = client.get(f"/nl/cms/new/{roots['nl'].id}").get_data(as_text=True)
    selected = re.findall(r"<option([^>]*)>", html)
    chosen = [attrs for attrs in selected if "selected" in attrs]
    assert chosen == [f' selected value="{expected}"'] or chosen == [
        f' value="{expected}" selected'
    ], chosen
