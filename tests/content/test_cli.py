"""The ``tracing-app`` commands for accounts and set-up."""

import pytest
from sqlalchemy import select

from content.auth.models import User
from content.extensions import db

pytestmark = pytest.mark.db


def _user(email):
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def test_users_create_reads_the_password_from_standard_input(runner):
    result = runner.invoke(
        args=["users", "create", "cli@example.org", "--roles", "agent,editor", "--locale", "fr"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    user = _user("cli@example.org")
    assert user.role_names == {"agent", "editor"}
    assert user.locale == "fr"
    assert user.password_hash.startswith("$argon2id$")


def test_users_create_refuses_unknown_role_and_creates_nothing(runner):
    result = runner.invoke(
        args=["users", "create", "bad@example.org", "--roles", "wizard"],
        input="a long enough password\n",
    )
    assert result.exit_code == 1
    assert "Unknown role: wizard." in result.output
    assert _user("bad@example.org") is None


def test_users_list_set_roles_and_deactivate(runner, create_user):
    create_user(email="cycle@example.org", roles=["agent"])
    assert (
        runner.invoke(
            args=["users", "set-roles", "cycle@example.org", "--roles", "supervisor"]
        ).exit_code
        == 0
    )
    assert _user("cycle@example.org").role_names == {"supervisor"}

    assert runner.invoke(args=["users", "deactivate", "cycle@example.org"]).exit_code == 0
    listing = runner.invoke(args=["users", "list"]).output
    line = next(line for line in listing.splitlines() if line.startswith("cycle@example.org"))
    assert "supervisor" in line
    assert "deactivated" in line


def test_unknown_account_is_reported(runner):
    result = runner.invoke(args=["users", "deactivate", "nobody@example.org"])
    assert result.exit_code == 1
    assert "No account with this e-mail address." in result.output


def test_init_writes_a_secret_key_once_and_keeps_it(app, runner, tmp_path, monkeypatch):
    import tomllib

    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    monkeypatch.setitem(app.config, "SECRET_KEY", app.config["SECRET_KEY"])
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0, result.output
    first = tomllib.loads((tmp_path / "config.toml").read_text())["SECRET_KEY"]
    assert len(first) >= 48
    assert (tmp_path / "config.toml").stat().st_mode & 0o777 == 0o600

    assert runner.invoke(args=["init"]).exit_code == 0
    assert tomllib.loads((tmp_path / "config.toml").read_text())["SECRET_KEY"] == first


def test_init_demo_creates_one_account_per_role(app, runner, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    monkeypatch.setitem(app.config, "SECRET_KEY", app.config["SECRET_KEY"])
    result = runner.invoke(args=["init", "--demo"])
    assert result.exit_code == 0, result.output
    roles = set()
    for user in db.session.scalars(select(User)):
        roles |= user.role_names
    assert roles == {"admin", "editor", "reviewer", "trainer", "supervisor", "specialist", "agent"}
    assert "admin@example.org" in result.output
    from tracing_app.scripts.models import ScriptVersion

    published = db.session.scalars(select(ScriptVersion).where(ScriptVersion.state == "published"))
    assert sorted(v.script.form_id for v in published) == [
        "inbound_callback",
        "outbound_case",
        "outbound_contact",
    ]
    # Demo pages, published and linked in four languages.
    visitor = app.test_client()
    page = visitor.get("/fr/quarantine").get_data(as_text=True)
    assert "Quarantaine et isolement" in page
    assert 'href="/de/quarantine" hreflang="de"' in page
    # Running it again changes nothing and fails on nothing.
    assert runner.invoke(args=["init", "--demo"]).exit_code == 0


@pytest.mark.parametrize("lang", ["nl", "fr", "de", "en"])
def test_every_demo_account_signs_in_in_every_language(app, runner, tmp_path, monkeypatch, lang):
    from content.demo import DEMO_PASSWORD
    from tests.fixtures.web import AuthActions

    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    monkeypatch.setitem(app.config, "SECRET_KEY", app.config["SECRET_KEY"])
    assert runner.invoke(args=["init", "--demo"]).exit_code == 0
    emails = [user.email for user in db.session.scalars(select(User))]
    assert len(emails) == 8
    for email in emails:
        client = app.test_client()
        assert AuthActions(client, None).login(email, DEMO_PASSWORD, lang=lang).status_code == 302
        page = client.get(f"/{lang}/dashboard")
        assert page.status_code == 200
        assert f'<html lang="{lang}">' in page.get_data(as_text=True)
