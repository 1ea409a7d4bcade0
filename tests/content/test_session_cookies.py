"""Session cookies decoded once per process: the same session as Flask's, never shared."""

from __future__ import annotations

import time

import pytest
from flask import request
from flask.sessions import SecureCookieSessionInterface

from content.auth.cookies import KeptCookieSessionInterface
from tests.fixtures.web import AuthActions

pytestmark = pytest.mark.db


def _open(app, value: str, interface=None) -> dict:
    """Return the session a request with cookie ``value`` opens."""
    name = app.config["SESSION_COOKIE_NAME"]
    with app.test_request_context("/en/dashboard", headers={"Cookie": f"{name}={value}"}):
        return dict((interface or app.session_interface).open_session(app, request))


def _cookie(app, client) -> str:
    return client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value


def test_a_kept_cookie_opens_what_flask_decodes(app, client, auth):
    auth.login_as("agent")
    value = _cookie(app, client)
    interface = KeptCookieSessionInterface(8)
    decoded = SecureCookieSessionInterface().open_session
    first = _open(app, value, interface)
    assert (app.secret_key, value) in interface._kept
    assert first == _open(app, value, interface)  # the kept one
    name = app.config["SESSION_COOKIE_NAME"]
    with app.test_request_context("/", headers={"Cookie": f"{name}={value}"}):
        assert first == dict(decoded(app, request))
    assert first["_user_id"] == str(auth.user.id)
    assert client.get("/en/dashboard").status_code == 200  # twice: kept, then from the kept
    assert client.get("/en/dashboard").status_code == 200


def test_a_changed_cookie_is_checked_in_full(app, client, auth):
    auth.login_as("agent")
    value = _cookie(app, client)
    assert client.get("/en/dashboard").status_code == 200
    forged = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    assert _open(app, forged) == {}
    copy = app.test_client()
    copy.set_cookie(app.config["SESSION_COOKIE_NAME"], forged)
    assert copy.get("/en/dashboard").status_code == 302


def test_a_kept_cookie_expires_with_its_age(app, client, auth, monkeypatch):
    auth.login_as("agent")
    value = _cookie(app, client)
    interface = KeptCookieSessionInterface(8)
    assert _open(app, value, interface)
    lifetime = app.permanent_session_lifetime.total_seconds()
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + lifetime + 2)
    assert _open(app, value, interface) == {}  # kept, and too old
    assert _open(app, value, KeptCookieSessionInterface(8)) == {}  # Flask's check: the same
    monkeypatch.setattr(time, "time", lambda: now - 5)
    assert _open(app, value, interface) == {}  # signed "in the future": refused as Flask does


def test_a_session_with_flashed_messages_is_never_shared(app, client, auth):
    auth.login_as("agent")
    with client.session_transaction() as session:
        session["_flashes"] = [("message", "Saved")]
    value = _cookie(app, client)
    interface = KeptCookieSessionInterface(8)
    first = _open(app, value, interface)
    assert (app.secret_key, value) not in interface._kept
    first["_flashes"].append(("message", "changed in place"))
    assert _open(app, value, interface)["_flashes"] == [("message", "Saved")]


def test_each_cookie_opens_its_own_session(app, auth, create_user):
    sessions = {}
    for email in ("one@example.org", "two@example.org"):
        browser = app.test_client()
        user = create_user(email=email, roles=["agent"])
        AuthActions(browser, create_user).login(email)
        value = _cookie(app, browser)
        for _ in range(2):
            assert _open(app, value)["_user_id"] == str(user.id)
        sessions[email] = value
    assert sessions["one@example.org"] != sessions["two@example.org"]


def test_the_cache_is_bounded(app, client, auth):
    auth.login_as("agent")
    interface = KeptCookieSessionInterface(2)
    client.get("/en/dashboard")
    values = []
    for _ in range(3):
        with client.session_transaction() as session:
            session["n"] = len(values)  # each change signs a new cookie
        values.append(_cookie(app, client))
        _open(app, values[-1], interface)
    assert [key[1] for key in interface._kept] == values[1:]
    assert KeptCookieSessionInterface(0).size == 0
    assert _open(app, values[0], KeptCookieSessionInterface(0))["n"] == 0
