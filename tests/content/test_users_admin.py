"""Account administration through the admin screens."""

import re

import pytest
from babel.support import Translations
from sqlalchemy import select

from content import TRANSLATIONS_DIRECTORY
from content.auth.models import User
from content.extensions import db
from tests.fixtures.web import post_form

pytestmark = pytest.mark.db


@pytest.fixture
def admin(auth):
    return auth.login_as("admin")


def _user(email):
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def test_admin_creates_an_account_that_can_sign_in(app, client, admin, auth):
    response = post_form(
        client,
        "/en/admin/users/new",
        {
            "email": "New.Agent@Example.org",
            "display_name": "New Agent",
            "password": "a long enough password",
            "locale": "fr",
            "roles": ["agent", "editor"],
        },
    )
    assert response.status_code == 302
    user = _user("new.agent@example.org")
    assert user.role_names == {"agent", "editor"}
    assert user.locale == "fr"
    listing = client.get("/en/admin/users/").get_data(as_text=True)
    assert "new.agent@example.org" in listing

    auth.logout()
    assert auth.login("new.agent@example.org", "a long enough password").location == "/fr/dashboard"


def test_invalid_account_form_keeps_what_was_typed(client, admin, create_user):
    create_user(email="taken@example.org")
    response = post_form(
        client,
        "/en/admin/users/new",
        {
            "email": "taken@example.org",
            "display_name": "Kept Name",
            "password": "short",
            "locale": "nl",
            "roles": ["agent"],
        },
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "An account with this e-mail address already exists." in text
    assert 'value="Kept Name"' in text
    assert re.search(
        r'<input checked id="roles-\d+" name="roles" type="checkbox" value="agent">', text
    )
    assert 'aria-invalid="true"' in text


def test_short_password_is_refused_beside_the_field(client, admin):
    response = post_form(
        client,
        "/fr/admin/users/new",
        {"email": "x@example.org", "display_name": "X", "password": "short", "locale": "nl"},
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="password-error"' in text
    assert "12" in text
    assert _user("x@example.org") is None


def test_admin_sets_roles(client, admin, create_user):
    user = create_user(email="roles@example.org", roles=["agent"])
    response = post_form(
        client,
        f"/en/admin/users/{user.id}",
        {"display_name": "Roles", "locale": "nl", "roles": ["supervisor", "trainer"]},
    )
    assert response.status_code == 302
    assert _user("roles@example.org").role_names == {"supervisor", "trainer"}


def test_admin_cannot_remove_own_admin_role(client, admin):
    response = post_form(
        client, f"/en/admin/users/{admin.id}", {"display_name": "Me", "locale": "en", "roles": []}
    )
    assert response.status_code == 400
    assert _user(admin.email).role_names == {"admin"}


def test_deactivation_signs_the_user_out_everywhere(app, admin, client, create_user):
    from tests.fixtures.web import AuthActions

    victim = create_user(email="victim@example.org", roles=["agent"])
    victim_client = app.test_client()
    AuthActions(victim_client, create_user).login("victim@example.org")
    assert victim_client.get("/en/dashboard").status_code == 200

    response = post_form(client, f"/en/admin/users/{victim.id}/deactivate", {}, prefix="confirm")

    assert response.status_code == 302
    assert _user("victim@example.org").is_active is False
    assert victim_client.get("/en/dashboard").status_code == 302
    assert AuthActions(victim_client, create_user).login("victim@example.org").status_code == 401


def test_password_reset_by_admin(app, admin, client, create_user):
    from tests.fixtures.web import AuthActions

    user = create_user(email="forgot@example.org")
    response = post_form(
        client,
        f"/en/admin/users/{user.id}/password",
        {"reset-password": "a brand new password"},
        prefix="reset",
    )
    assert response.status_code == 302
    other = AuthActions(app.test_client(), create_user)
    assert other.login("forgot@example.org", "a brand new password").status_code == 302


def test_user_changes_own_language_and_password(app, client, auth):
    user = auth.login_as("agent", locale="nl")
    response = post_form(
        client,
        "/nl/account",
        {"profile-display_name": "Renamed", "profile-locale": "de", "profile-submit_profile": "1"},
        prefix="profile",
    )
    assert response.location == "/de/account"
    assert _user(user.email).locale == "de"

    response = post_form(
        client,
        "/de/account",
        {
            "password-current_password": "wrong",
            "password-new_password": "another long password",
            "password-confirm": "another long password",
            "password-submit_password": "1",
        },
        prefix="password",
    )
    assert response.status_code == 400
    german = Translations.load(str(TRANSLATIONS_DIRECTORY), ["de"])
    assert german.gettext("This is not your current password.") in response.get_data(as_text=True)

    response = post_form(
        client,
        "/de/account",
        {
            "password-current_password": "correct horse battery",
            "password-new_password": "another long password",
            "password-confirm": "another long password",
            "password-submit_password": "1",
        },
        prefix="password",
    )
    assert response.status_code == 302
    # Still signed in (a fresh session), and the new password works.
    assert client.get("/de/dashboard").status_code == 200


def test_user_list_is_for_administrators_only(client, auth):
    auth.login_as("supervisor")
    assert client.get("/en/admin/users/").status_code == 403
