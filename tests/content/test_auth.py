"""Signing in and out, from the user's side."""

import pytest
from sqlalchemy import select

from content.auth.models import AuthSession
from content.extensions import db
from tests.fixtures.web import post_form

pytestmark = pytest.mark.db


def test_login_lands_on_dashboard_in_users_language(client, create_user, auth):
    create_user(email="marie@example.org", locale="fr", display_name="Marie")
    response = auth.login("marie@example.org")
    assert response.status_code == 302
    assert response.location == "/fr/dashboard"
    page = client.get("/fr/dashboard")
    assert page.status_code == 200
    assert "Marie" in page.get_data(as_text=True)


def test_login_is_case_insensitive_on_email(create_user, auth):
    create_user(email="case@example.org")
    assert auth.login("CASE@Example.org").status_code == 302


@pytest.mark.parametrize("email", ["nobody@example.org", "known@example.org"])
def test_unknown_user_and_wrong_password_get_the_same_answer(client, create_user, auth, email):
    create_user(email="known@example.org")
    response = auth.login(email, password="wrong password!")
    text = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "The e-mail address or password is not correct." in text
    assert email in text  # what was typed is kept
    assert "wrong password!" not in text  # ...but never the password


def test_deactivated_account_cannot_sign_in(create_user, auth):
    from content.users.operations import deactivate

    user = create_user(email="gone@example.org")
    deactivate(user)
    db.session.commit()
    response = auth.login("gone@example.org")
    assert response.status_code == 401


def test_next_is_followed_after_login(client, create_user):
    create_user(email="next@example.org")
    response = post_form(
        client,
        "/en/login",
        {"email": "next@example.org", "password": "correct horse battery", "next": "/en/account"},
    )
    assert response.location == "/en/account"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https:evil.example",
        "/\\evil.example",
        "https://evil.example/",
        "/%09/evil.example",
        "\t//evil.example",
        "javascript:alert(1)",
    ],
)
def test_login_never_redirects_off_site(client, create_user, target):
    create_user(email="safe@example.org")
    response = post_form(
        client,
        "/en/login",
        {"email": "safe@example.org", "password": "correct horse battery", "next": target},
    )
    assert response.status_code == 302
    assert response.location.startswith("/")
    assert not response.location.startswith("//")
    assert "evil" not in response.location


def test_anonymous_visitor_is_sent_to_login_and_back(client, create_user):
    create_user(email="back@example.org")
    response = client.get("/en/account")
    assert response.status_code == 302
    assert response.location.startswith("/en/login?next=")
    login_page = client.get(response.location)
    assert 'value="/en/account"' in login_page.get_data(as_text=True)


def test_logout_ends_session_on_server_so_a_copied_cookie_stops_working(app, client, auth):
    auth.login_as("agent")
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    copy = app.test_client()
    copy.set_cookie(cookie.key, cookie.value)
    assert copy.get("/en/dashboard").status_code == 200

    auth.logout()

    assert client.get("/en/dashboard").status_code == 302
    assert copy.get("/en/dashboard").status_code == 302  # the stolen copy is dead too
    ended = db.session.scalars(select(AuthSession)).all()
    assert ended
    assert all(s.ended_dt is not None for s in ended)


def test_session_is_rotated_at_login(app, client, create_user):
    create_user(email="rotate@example.org")
    client.get("/en/login")
    before = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    post_form(
        client, "/en/login", {"email": "rotate@example.org", "password": "correct horse battery"}
    )
    after = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    assert before != after
    # A cookie from before the login does not carry the login.
    stale = app.test_client()
    stale.set_cookie(app.config["SESSION_COOKIE_NAME"], before)
    assert stale.get("/en/dashboard").status_code == 302


def test_idle_session_expires(app, client, auth):
    from datetime import timedelta

    from sqlalchemy import update

    from content.auth.models import utcnow

    auth.login_as("agent")
    idle = timedelta(minutes=app.config["IDLE_TIMEOUT_MINUTES"], seconds=1)
    db.session.execute(update(AuthSession).values(last_seen_dt=utcnow() - idle))
    db.session.commit()
    response = client.get("/en/dashboard")
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Your session ended after a period without activity." in page


def test_session_cookie_is_hardened(app, client, create_user):
    create_user(email="cookie@example.org")
    response = post_form(
        client, "/en/login", {"email": "cookie@example.org", "password": "correct horse battery"}
    )
    header = response.headers["Set-Cookie"]
    assert "HttpOnly" in header
    assert "Secure" in header
    assert "SameSite=Lax" in header


def test_login_form_without_csrf_token_is_refused(client, create_user):
    create_user(email="csrf@example.org")
    response = client.post(
        "/en/login", data={"email": "csrf@example.org", "password": "correct horse battery"}
    )
    assert response.status_code == 400
    assert "The form has expired" in response.get_data(as_text=True)
