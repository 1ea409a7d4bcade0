"""Commands of the core: ``init``, ``users`` and ``translations``."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from content import TRANSLATIONS_DIRECTORY
from content.config import INSTANCE_CONFIG_FILE
from content.extensions import db
from content.i18n import _
from content.items.operations import ensure_language_roots
from content.plugins import hook
from content.users import operations

PROJECT_ROOT = TRANSLATIONS_DIRECTORY.parent
SOURCE_PACKAGES = ["content", "lms", "tracing_app"]


def write_secret_key(instance_path: str) -> bool:
    """Add a random SECRET_KEY to the instance config file; return False when one exists."""
    path = Path(instance_path) / INSTANCE_CONFIG_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    text = path.read_text() if path.exists() else ""
    if any(line.strip().startswith("SECRET_KEY") for line in text.splitlines()):
        return False
    secret = secrets.token_urlsafe(48)
    with path.open("a") as fh:
        fh.write(
            f'{"" if not text or text.endswith(chr(10)) else chr(10)}SECRET_KEY = "{secret}"\n'
        )
    path.chmod(0o600)
    current_app.config["SECRET_KEY"] = secret
    return True


def write_demo_settings(instance_path: str) -> bool:
    """Make the second factor optional on a demo site; return False when already decided.

    A site's own choice in the instance file is kept (docs/second-factor.md).
    """
    path = Path(instance_path) / INSTANCE_CONFIG_FILE
    text = path.read_text() if path.exists() else ""
    if any(line.strip().startswith("SECOND_FACTOR_REQUIRED_ROLES") for line in text.splitlines()):
        return False
    with path.open("a") as fh:
        fh.write(
            f"{'' if not text or text.endswith(chr(10)) else chr(10)}"
            "# Demo site: the second factor is optional (see docs/second-factor.md).\n"
            "SECOND_FACTOR_REQUIRED_ROLES = []\n"
        )
    current_app.config["SECOND_FACTOR_REQUIRED_ROLES"] = []
    return True


@click.command("init")
@click.option("--demo", is_flag=True, help="Also create demo accounts and content.")
@with_appcontext
def init_command(demo: bool) -> None:
    """Prepare the site: secret key, database schema and, with --demo, demo data."""
    from flask_migrate import upgrade

    if write_secret_key(current_app.instance_path):
        click.echo(_("Wrote a new secret key to %(path)s.", path=current_app.instance_path))
    upgrade(revision="heads")  # every plugin's branch, not only the core's
    click.echo(_("Database schema is up to date."))
    for found in hook(current_app).tracing_init(app=current_app):
        for line in found:
            click.echo(line)
    ensure_language_roots()
    db.session.commit()
    if demo:
        if write_demo_settings(current_app.instance_path):
            click.echo(_("Demo site: the second factor is optional for every role."))
        lines = [
            line for found in hook(current_app).tracing_demo_data(app=current_app) for line in found
        ]
        db.session.commit()
        click.echo(_("Demo accounts (e-mail, password, roles, language):"))
        for line in lines:
            click.echo("  " + line)


users_group = AppGroup("users", help="Manage accounts.")


def _read_password(confirm: bool = True) -> str:
    """Read a password from the terminal (hidden, asked twice) or one line of standard input."""
    if sys.stdin.isatty():
        return click.prompt(_("Password"), hide_input=True, confirmation_prompt=confirm)
    return sys.stdin.readline().rstrip("\r\n")


def _roles_option(value: str) -> list[str]:
    return [name for name in value.split(",") if name.strip()]


def _run(action):
    """Run an account operation, commit, and turn a broken rule into a clean CLI error."""
    try:
        result = action()
    except operations.AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    return result


@users_group.command("create")
@click.argument("email")
@click.option("--roles", default="", help="Comma-separated role names, e.g. agent,editor.")
@click.option("--name", default="", help="Display name.")
@click.option("--locale", default=None, help="Language: nl, fr, de or en.")
def create_user_command(email: str, roles: str, name: str, locale: str | None) -> None:
    """Create an account; the password comes from a prompt or standard input."""
    password = _read_password()
    user = _run(
        lambda: operations.create_user(
            email, password, display_name=name, roles=_roles_option(roles), locale=locale
        )
    )
    click.echo(_("Account %(email)s created.", email=user.email))


@users_group.command("list")
def list_users_command() -> None:
    """List accounts with their roles, language and state."""
    for user in operations.list_users():
        state = _("active") if user.is_active else _("deactivated")
        roles = ",".join(sorted(user.role_names)) or "-"
        click.echo(f"{user.email:<36} {roles:<32} {user.locale:<3} {state}")


@users_group.command("set-roles")
@click.argument("email")
@click.option(
    "--roles", required=True, help="Comma-separated role names; replaces the current ones."
)
def set_roles_command(email: str, roles: str) -> None:
    """Give an account exactly these roles."""
    _run(lambda: operations.set_roles(operations.get_user(email), _roles_option(roles)))
    click.echo(_("Roles of %(email)s set.", email=email))


@users_group.command("deactivate")
@click.argument("email")
def deactivate_command(email: str) -> None:
    """Stop an account from signing in and end its sessions."""
    _run(lambda: operations.deactivate(operations.get_user(email)))
    click.echo(_("Account %(email)s deactivated.", email=email))


@users_group.command("reset-password")
@click.argument("email")
def reset_password_command(email: str) -> None:
    """Set a new password (prompt or standard input) and end the account's sessions."""
    password = _read_password()
    _run(lambda: operations.set_password(operations.get_user(email), password))
    click.echo(_("New password set for %(email)s.", email=email))


@users_group.command("reset-second-factor")
@click.argument("email")
def reset_second_factor_command(email: str) -> None:
    """Remove an account's second factors and recovery codes and end its sessions."""
    from content.auth.second_factor import operations as second_factor

    _run(lambda: second_factor.reset(operations.get_user(email), actor=None))
    click.echo(_("Second factor of %(email)s reset.", email=email))


translations_group = AppGroup("translations", help="Extract, update and compile UI strings.")


def _pybabel(*args: str) -> None:
    from babel.messages.frontend import CommandLineInterface

    CommandLineInterface().run(["pybabel", "-q", *args])


@translations_group.command("extract")
def extract_command() -> None:
    """Collect the UI strings of every package into translations/messages.pot."""
    _pybabel(
        "extract", "-F", str(PROJECT_ROOT / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext",
        "--no-location", "--sort-output", "--project", "tracing-app",
        "-o", str(TRANSLATIONS_DIRECTORY / "messages.pot"),
        *[str(PROJECT_ROOT / package) for package in SOURCE_PACKAGES],
    )  # fmt: skip


@translations_group.command("update")
def update_command() -> None:
    """Merge messages.pot into the nl, fr, de and en catalogs."""
    _pybabel(
        "update", "-i", str(TRANSLATIONS_DIRECTORY / "messages.pot"),
        "-d", str(TRANSLATIONS_DIRECTORY), "--no-fuzzy-matching", "--ignore-obsolete",
    )  # fmt: skip


@translations_group.command("compile")
def compile_command() -> None:
    """Compile the catalogs to .mo files (the setup does this on a fresh clone)."""
    _pybabel("compile", "-d", str(TRANSLATIONS_DIRECTORY))
