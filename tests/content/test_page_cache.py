"""The anonymous page cache: fast for visitors, never stale past a change, never for editors."""

import dataclasses
import re

import pytest
from sqlalchemy import update

from content.auth.models import AuthSession, User, utcnow
from content.auth.sessions import reader_passes
from content.extensions import db
from content.items.page_cache import page_cache
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


def test_signed_in_readers_never_get_the_visitors_page(app, client, auth, create_page):
    page = create_page(title="Cache", slug="cache", body="Eerste tekst")
    app.test_client().get("/nl/cache")  # fills the visitors' cache
    _change_behind_the_caches_back(page, "Nieuwe tekst")
    auth.login_as("agent")
    html = client.get("/nl/cache").get_data(as_text=True)
    assert "Nieuwe tekst" in html
    assert "Sign out" in html or "Afmelden" in html


def _reader(app, create_user, email, name, roles):
    """A signed-in test client of its own (a second browser)."""
    from tests.fixtures.web import AuthActions

    reader = app.test_client()
    user = create_user(email=email, display_name=name, roles=roles)
    assert AuthActions(reader, create_user).login(user.email).status_code == 302
    return reader


def test_readers_with_the_same_roles_share_the_page_with_their_own_name_and_token(
    app, create_page, create_user
):
    page = create_page(title="Cache", slug="cache", body="Eerste tekst")
    anna = _reader(app, create_user, "anna@example.org", "Anna <Peeters>", ["agent"])
    bram = _reader(app, create_user, "bram@example.org", "Bram Janssens", ["agent"])
    assert "Eerste tekst" in anna.get("/nl/cache").get_data(as_text=True)

    _change_behind_the_caches_back(page, "Stiekem gewijzigd")
    html = bram.get("/nl/cache").get_data(as_text=True)
    assert "Eerste tekst" in html  # Anna's rendering, kept
    assert "Bram Janssens" in html
    assert "Anna" not in html
    assert "Anna &lt;Peeters&gt;" in anna.get("/nl/cache").get_data(as_text=True)

    # The sign-out form of the kept page carries Bram's own token: it signs him out.
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert bram.post("/nl/logout", data={"csrf_token": token}).status_code == 302
    assert "Bram Janssens" not in bram.get("/nl/cache").get_data(as_text=True)


def test_readers_with_other_roles_get_their_own_menu(app, create_page, create_user):
    create_page(title="Cache", slug="cache")
    agent = _reader(app, create_user, "agent@example.org", "Agent", ["agent"])
    trainer = _reader(app, create_user, "trainer@example.org", "Trainer", ["trainer"])
    progress = 'href="/nl/learn/trainer/progress"'
    assert progress not in agent.get("/nl/cache").get_data(as_text=True)
    assert progress in trainer.get("/nl/cache").get_data(as_text=True)
    assert progress not in agent.get("/nl/cache").get_data(as_text=True)  # both kept now


def test_a_personal_content_type_is_never_kept_for_signed_in_readers(
    app, create_page, create_user, monkeypatch
):
    from content.items import types

    page = create_page(title="Cache", slug="cache", body="Eerste tekst")
    reader = _reader(app, create_user, "anna@example.org", "Anna", ["agent"])
    registered = types.content_types()
    monkeypatch.setitem(registered, "page", dataclasses.replace(registered["page"], personal=True))
    reader.get("/nl/cache")
    _change_behind_the_caches_back(page, "Nieuwe tekst")
    assert "Nieuwe tekst" in reader.get("/nl/cache").get_data(as_text=True)


def test_a_kept_page_on_a_fresh_reader_pass_costs_no_statement(
    app, create_page, create_user, count_queries, monkeypatch
):
    create_page(title="Cache", slug="cache")
    monkeypatch.setattr(page_cache(), "check_seconds", 3600)
    reader = _reader(app, create_user, "anna@example.org", "Anna", ["agent"])
    reader.get("/nl/cache")  # the session checked in full, the pass kept
    with count_queries() as queries:
        response = reader.get("/nl/cache")
    assert "Anna" in response.get_data(as_text=True)
    assert queries.count == 0, queries.report()
    assert "Set-Cookie" not in response.headers  # the cookie is not signed again

    monkeypatch.setattr(reader_passes(), "seconds", 0)  # the pass has run out
    with count_queries() as queries:
        assert "Anna" in reader.get("/nl/cache").get_data(as_text=True)
    assert queries.count == 1, queries.report()  # the session row, read again


def test_signing_out_ends_the_pass_of_a_copied_cookie_at_once(app, create_page, create_user):
    create_page(title="Cache", slug="cache")
    reader = _reader(app, create_user, "anna@example.org", "Anna", ["agent"])
    assert "Anna" in reader.get("/nl/cache").get_data(as_text=True)
    name = app.config["SESSION_COOKIE_NAME"]
    copy = app.test_client()
    copy.set_cookie(name, reader.get_cookie(name).value)
    assert "Anna" in copy.get("/nl/cache").get_data(as_text=True)

    token = re.search(r'name="csrf_token" value="([^"]+)"', reader.get("/nl/cache").text)
    assert reader.post("/nl/logout", data={"csrf_token": token.group(1)}).status_code == 302
    assert "Anna" not in copy.get("/nl/cache").get_data(as_text=True)


def test_a_session_ended_on_another_host_shows_public_pages_only_until_the_pass_runs_out(
    app, create_page, create_user, monkeypatch
):
    create_page(title="Cache", slug="cache")
    reader = _reader(app, create_user, "anna@example.org", "Anna", ["agent"])
    assert "Anna" in reader.get("/nl/cache").get_data(as_text=True)
    # Another host ends the session: this process learns nothing of it.
    db.session.execute(update(AuthSession).values(ended_dt=utcnow()))
    db.session.commit()

    assert "Anna" in reader.get("/nl/cache").get_data(as_text=True)  # a public page
    assert reader.get("/nl/dashboard").status_code == 302  # anything else: checked in full
    monkeypatch.setattr(reader_passes(), "seconds", 0)
    html = reader.get("/nl/cache").get_data(as_text=True)
    assert "Anna" not in html
    assert 'href="/nl/login"' in html


def test_new_roles_change_the_menu_of_kept_pages_at_once(app, create_page, create_user):
    from content.users.operations import set_roles

    create_page(title="Cache", slug="cache")
    reader = _reader(app, create_user, "anna@example.org", "Anna", ["agent"])
    progress = 'href="/nl/learn/trainer/progress"'
    assert progress not in reader.get("/nl/cache").get_data(as_text=True)
    anna = db.session.scalar(db.select(User).where(User.email == "anna@example.org"))
    set_roles(anna, ["agent", "trainer"])
    db.session.commit()
    assert progress in reader.get("/nl/cache").get_data(as_text=True)


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


def test_the_menu_is_made_once_per_set_of_roles_on_every_page(app, create_user):
    agent = _reader(app, create_user, "agent@example.org", "Agent", ["agent"])
    trainer = _reader(app, create_user, "trainer@example.org", "Trainer", ["trainer"])
    progress = 'href="/nl/learn/trainer/progress"'
    for _ in range(2):  # the dashboard is never kept: only its menu is
        assert progress not in agent.get("/nl/dashboard").get_data(as_text=True)
        assert progress in trainer.get("/nl/dashboard").get_data(as_text=True)
