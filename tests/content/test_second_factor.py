"""The second factor at sign-in: enrolment, codes, throttling, replay, recovery, reset."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from content import signals
from content.auth.second_factor import operations, sealing
from content.auth.second_factor.models import SecondFactor
from content.extensions import db
from tests.fixtures.web import csrf_token, post_form

SECRET_PATTERN = re.compile(r"<code>([A-Z2-7]{32})</code>")
RECOVERY_PATTERN = re.compile(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>")


@pytest.fixture
def required(app, monkeypatch):
    """Turn the second factor on for agents and admins, as production settings do."""
    monkeypatch.setitem(app.config, "SECOND_FACTOR_REQUIRED_ROLES", ["agent", "admin"])


def enrol_totp(user) -> str:
    """Give the user a confirmed authenticator app; return its secret."""
    factor, secret = operations.pending_totp(user)
    factor.confirmed_dt = factor.created_dt
    db.session.commit()
    return secret


def next_code(secret: str) -> str:
    """A code of the next time step: valid now (drift) and not used by enrolment."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def submit_code(client, code: str, next_url: str = ""):
    url = "/en/login/second-factor" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"totp-csrf_token": csrf_token(client, url), "totp-code": code})


def submit_recovery(client, code: str):
    url = "/en/login/second-factor"
    return client.post(
        url,
        data={"recovery-csrf_token": csrf_token(client, url), "recovery-recovery_code": code},
    )


def test_role_without_a_second_factor_cannot_reach_the_workspace(client, auth, required):
    auth.login_as("agent")
    for url in ("/en/calls/", "/en/workspace/forms/", "/en/dashboard", "/en/admin/users/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.location.startswith("/en/login/second-factor"), url
    # Public pages see an anonymous visitor, not the half-signed-in user.
    home = client.get("/en/").get_data(as_text=True)
    assert "Sign out" not in home
    # The second-factor page sends a user with nothing enrolled to enrolment.
    response = client.get("/en/login/second-factor")
    assert response.location == "/en/account/second-factor"
    page = client.get("/en/account/second-factor").get_data(as_text=True)
    assert "Set one up to continue" in page
    assert 'autocomplete="one-time-code"' in page
    assert 'inputmode="numeric"' in page


def test_role_not_required_signs_in_with_the_password_only(client, auth, required):
    auth.login_as("editor")
    assert client.get("/en/dashboard").status_code == 200


def test_enrolment_with_an_app_shows_recovery_codes_once_and_opens_the_session(
    client, auth, required
):
    auth.login_as("agent")
    page = client.get("/en/account/second-factor").get_data(as_text=True)
    secret = SECRET_PATTERN.search(page).group(1)
    assert "<svg" in page  # the QR code, drawn by the app itself

    wrong = post_form(client, "/en/account/second-factor", {"totp-code": "000000"}, prefix="totp")
    assert wrong.status_code == 400
    assert "This code is not correct" in wrong.get_data(as_text=True)

    response = post_form(
        client,
        "/en/account/second-factor",
        {"totp-code": pyotp.TOTP(secret).now()},
        prefix="totp",
    )
    assert response.status_code == 200
    codes = RECOVERY_PATTERN.findall(response.get_data(as_text=True))
    assert len(codes) == 10
    assert client.get("/en/calls/").status_code == 200
    # The secret is sealed at rest: not in the row, not readable with another SECRET_KEY.
    factor = db.session.scalar(select(SecondFactor))
    assert secret.encode() not in factor.sealed_secret
    assert sealing.unseal(factor.sealed_secret, user_id=factor.user_id) == secret.encode()


def test_sign_in_with_a_code_goes_where_the_user_was_going(client, auth, create_user):
    user = create_user(roles=["editor"])
    secret = enrol_totp(user)
    # Enrolled without being required: the second factor is asked all the same.
    auth.login(user.email)
    response = client.get("/en/cms/")
    assert response.location.startswith("/en/login/second-factor?next=")
    response = submit_code(client, next_code(secret), next_url="/en/cms/")
    assert response.status_code == 302
    assert response.location == "/en/cms/"
    assert client.get("/en/dashboard").status_code == 200


@pytest.mark.db
def test_a_used_code_is_refused_the_second_time(client, auth, create_user):
    user = create_user(roles=["agent"])
    secret = enrol_totp(user)
    code = next_code(secret)
    auth.login(user.email)
    assert submit_code(client, code).status_code == 302
    auth.logout()

    auth.login(user.email)
    replay = submit_code(client, code)
    assert replay.status_code == 400
    assert "This code is not correct or was already used." in replay.get_data(as_text=True)
    assert client.get("/en/dashboard").status_code == 302


@pytest.mark.db
def test_wrong_codes_are_throttled_like_the_password(app, client, auth, create_user):
    user = create_user(roles=["agent"])
    secret = enrol_totp(user)
    auth.login(user.email)
    for _attempt in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        response = submit_code(client, "123456")
        assert response.status_code == 400
        assert 'aria-invalid="true"' in response.get_data(as_text=True)
    # Now even the right code waits: guessing is over.
    response = submit_code(client, next_code(secret))
    assert response.status_code == 429
    assert "Too many failed attempts" in response.get_data(as_text=True)
    assert client.get("/en/dashboard").status_code == 302


@pytest.mark.db
def test_a_recovery_code_works_once(client, auth, create_user):
    user = create_user(roles=["agent"])
    enrol_totp(user)
    codes = operations.renew_recovery_codes(user)
    db.session.commit()

    auth.login(user.email)
    assert submit_recovery(client, codes[0].upper()).status_code == 302
    assert client.get("/en/dashboard").status_code == 200
    auth.logout()

    auth.login(user.email)
    again = submit_recovery(client, codes[0])
    assert again.status_code == 400
    assert "This recovery code is not valid." in again.get_data(as_text=True)
    assert submit_recovery(client, codes[1]).status_code == 302


def test_a_half_signed_in_session_can_sign_out(client, auth, required):
    auth.login_as("agent")
    response = auth.logout()
    assert response.status_code == 302
    assert response.location.startswith("/en/login")
    assert client.get("/en/dashboard").location.startswith("/en/login")


def test_no_new_factor_while_the_enrolled_one_is_owed(client, auth, create_user):
    """Whoever has only the password must not add their own authenticator."""
    user = create_user(roles=["agent"])
    enrol_totp(user)
    auth.login(user.email)
    assert client.get("/en/account/second-factor").location.startswith("/en/login/second-factor")
    response = client.post(
        "/en/account/second-factor/key-options",
        headers={"X-CSRFToken": csrf_token(client, "/en/login/second-factor")},
    )
    assert response.status_code == 403
    assert (
        db.session.scalar(select(SecondFactor.id).where(SecondFactor.confirmed_dt.is_(None)))
        is None
    )


def test_admin_reset_removes_factors_and_ends_sessions(app, client, auth, create_user):
    user = create_user(roles=["agent"])
    secret = enrol_totp(user)
    auth.login(user.email)
    assert submit_code(client, next_code(secret)).status_code == 302

    events = []

    def listener(sender, **kwargs):
        events.append((kwargs["user"].id, kwargs["actor"].id))

    admin = app.test_client()
    from tests.fixtures.web import AuthActions

    admin_user = create_user(roles=["admin"])
    AuthActions(admin, None).login(admin_user.email)
    signals.second_factor_reset.connect(listener)
    try:
        page = admin.get(f"/en/admin/users/{user.id}").get_data(as_text=True)
        assert "1 second factor enrolled." in page
        response = post_form(
            admin, f"/en/admin/users/{user.id}/second-factor", {}, prefix="confirm"
        )
    finally:
        signals.second_factor_reset.disconnect(listener)
    assert response.status_code == 302
    assert events == [(user.id, admin_user.id)]
    assert operations.factors(user) == []
    # The user's session ended: back to the login page.
    assert client.get("/en/dashboard").location.startswith("/en/login")


def test_production_settings_require_it_for_roles_that_open_personal_data():
    from tracing_app import create_app

    site = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert set(site.config["SECOND_FACTOR_REQUIRED_ROLES"]) == {
        "agent",
        "specialist",
        "supervisor",
        "admin",
    }


def test_init_demo_makes_it_optional_once(app, runner, tmp_path, monkeypatch):
    import tomllib

    from content.cli import write_demo_settings

    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    monkeypatch.setitem(app.config, "SECOND_FACTOR_REQUIRED_ROLES", ["agent"])
    assert write_demo_settings(str(tmp_path)) is True
    assert (
        tomllib.loads((tmp_path / "config.toml").read_text())["SECOND_FACTOR_REQUIRED_ROLES"] == []
    )
    assert app.config["SECOND_FACTOR_REQUIRED_ROLES"] == []
    # A site's own choice is kept.
    (tmp_path / "config.toml").write_text('SECOND_FACTOR_REQUIRED_ROLES = ["admin"]\n')
    assert write_demo_settings(str(tmp_path)) is False
    assert "admin" in (tmp_path / "config.toml").read_text()


def test_cli_reset_removes_the_factors(runner, create_user):
    user = create_user(email="lost.phone@example.org", roles=["agent"])
    enrol_totp(user)
    result = runner.invoke(args=["users", "reset-second-factor", "lost.phone@example.org"])
    assert result.exit_code == 0, result.output
    assert "lost.phone@example.org" in result.output
    assert operations.factors(user) == []


def test_a_wrong_code_is_told_in_the_users_language(client, auth, create_user):
    from tests.fixtures.web import translated

    user = create_user(roles=["agent"], locale="nl")
    enrol_totp(user)
    auth.login(user.email, lang="nl")
    url = "/nl/login/second-factor"
    response = client.post(
        url, data={"totp-csrf_token": csrf_token(client, url), "totp-code": "12345x"}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert translated("nl", "This code is not correct or was already used.") in page
    assert 'id="totp-code-error"' in page


def test_a_forged_security_key_answer_is_refused_and_counted(app, client, auth, create_user):
    user = create_user(roles=["agent"])
    enrol_totp(user)
    auth.login(user.email)
    token = csrf_token(client, "/en/login/second-factor")
    options = client.post("/en/login/second-factor/key-options", headers={"X-CSRFToken": token})
    assert options.status_code == 200
    assert options.json["challenge"]
    forged = client.post(
        "/en/login/second-factor/key",
        data='{"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {}}',
        headers={"X-CSRFToken": token, "Content-Type": "application/json"},
    )
    assert forged.status_code == 400
    assert forged.json["error"] == "The security key was not accepted."
    from content.auth.models import LoginFailure

    keys = db.session.scalars(select(LoginFailure.key)).all()
    assert [key.split(":")[0] for key in keys].count("second-factor") == 1
    # Without the CSRF header the request never reaches the check.
    assert client.post("/en/login/second-factor/key", data="{}").status_code == 400
    assert client.get("/en/dashboard").status_code == 302
