"""The anonymous page cache: fast for visitors, never stale past a change, never for editors."""

import pytest
from sqlalchemy import update

from content.extensions import db
from content.revisions.models import Revision

pytestmark = pytest.mark.db


def _change_behind_the_caches_back(page, body):
    """Edit the live revision in SQL, without a save (so no version bump)."""
    db.session.execute(update(Revision).where(Revision.item_id == page.id).values(body=body))
    db.session.commit()


def test_visitors_get_the_cached_page_until_content_changes(app, create_page, content_admin):
    from content.items import operations as items

    page = create_page(title="Cache", slug="cache", body="Eerste tekst")
    visitor = app.test_client()
    assert "Eerste tekst" in visitor.get("/nl/cache").get_data(as_text=True)

    _change_behind_the_caches_back(page, "Stiekem gewijzigd")
    assert "Eerste tekst" in visitor.get("/nl/cache").get_data(as_text=True)  # from the cache

    items.move(page, 0)  # any change visitors could notice bumps the version
    db.session.commit()
    assert "Stiekem gewijzigd" in visitor.get("/nl/cache").get_data(as_text=True)


def test_signed_in_users_are_never_served_from_the_cache(app, client, auth, create_page):
    page = create_page(title="Cache", slug="cache", body="Eerste tekst")
    app.test_client().get("/nl/cache")  # fills the cache
    _change_behind_the_caches_back(page, "Nieuwe tekst")
    auth.login_as("agent")
    assert "Nieuwe tekst" in client.get("/nl/cache").get_data(as_text=True)


def test_pages_with_a_message_for_the_visitor_are_not_cached(app, client, auth, create_page):
    create_page(title="Cache", slug="cache")
    auth.login_as("agent")
    auth.logout()  # leaves "You are signed out." to show
    first = client.get("/en/").get_data(as_text=True)
    assert "You are signed out." in first
    assert "You are signed out." not in app.test_client().get("/en/").get_data(as_text=True)


def test_cache_rereads_the_version_only_after_the_interval(app, create_page, monkeypatch):
    from content.items.page_cache import page_cache

    page = create_page(title="Cache", slug="cache", body="Eerste tekst")
    cache = page_cache()
    monkeypatch.setattr(cache, "check_seconds", 3600)
    visitor = app.test_client()
    visitor.get("/nl/cache")
    _change_behind_the_caches_back(page, "Nieuwe tekst")
    from content.items.page_cache import bump_content_version

    bump_content_version()
    db.session.commit()
    assert "Eerste tekst" in visitor.get("/nl/cache").get_data(as_text=True)  # within the interval
    monkeypatch.setattr(cache, "check_seconds", 0)
    assert "Nieuwe tekst" in visitor.get("/nl/cache").get_data(as_text=True)


def test_menus_shared_by_signed_in_readers_follow_each_change(app, client, auth, create_page):
    create_page(title="Procedures", slug="procedures", type="folder")
    create_page(title="Intake", slug="intake")
    auth.login_as("agent")
    assert "Procedures" in client.get("/nl/intake").get_data(as_text=True)

    create_page(title="Escalaties", slug="escalaties", type="folder")  # bumps the version
    html = client.get("/nl/intake").get_data(as_text=True)
    assert "Escalaties" in html  # the sections menu, made again
    assert 'href="/nl/escalaties"' in html


def test_editors_menus_show_drafts_and_are_never_shared(app, client, auth, create_page):
    create_page(title="Intake", slug="intake")
    create_page(title="Concept sectie", slug="concept", type="folder", publish=False)
    auth.login_as("agent")
    assert "Concept sectie" not in client.get("/nl/intake").get_data(as_text=True)
    auth.logout()
    auth.login_as("admin")
    assert "Concept sectie" in client.get("/nl/intake").get_data(as_text=True)
    auth.logout()
    auth.login_as("agent")
    assert "Concept sectie" not in client.get("/nl/intake").get_data(as_text=True)
