"""Managing accounts: the rules shared by the admin screens and the command line."""

from __future__ import annotations

from collections.abc import Iterable

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import select

from content import signals
from content.auth import passwords
from content.auth.models import User, UserRole, utcnow
from content.auth.roles import registry
from content.auth.sessions import end_all_sessions, reader_passes
from content.extensions import db
from content.i18n import _


class AccountError(ValueError):
    """A rule for accounts was broken; the message is translated and safe to show."""

    def __init__(self, message: str, field: str | None = None) -> None:
        """Keep the message and the form field it belongs to."""
        super().__init__(message)
        self.field = field


def normalise_email(email: str) -> str:
    """Return the address in lower case, or raise AccountError when it is not one."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise AccountError(_("This is not a valid e-mail address."), "email") from exc


def check_password_rules(password: str) -> None:
    """Raise AccountError when a new password is too short or too long."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise AccountError(
            _("The password must have at least %(num)d characters.", num=minimum), "password"
        )
    if len(password) > 1024:
        raise AccountError(_("The password is too long."), "password")


def check_roles(role_names: Iterable[str]) -> set[str]:
    """Return the role names as a set, or raise AccountError for an unknown one."""
    names = {name.strip().lower() for name in role_names if name.strip()}
    unknown = names - registry().roles.keys()
    if unknown:
        raise AccountError(_("Unknown role: %(roles)s.", roles=", ".join(sorted(unknown))), "roles")
    return names


def check_locale(locale: str) -> str:
    """Return the language code, or raise AccountError when the site does not offer it."""
    if locale not in current_app.config["LANGUAGES"]:
        raise AccountError(_("This language is not offered."), "locale")
    return locale


def create_user(
    email: str,
    password: str,
    *,
    display_name: str = "",
    roles: Iterable[str] = (),
    locale: str | None = None,
    actor: User | None = None,
) -> User:
    """Create an account; raise AccountError when the input breaks a rule."""
    email = normalise_email(email)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError(_("An account with this e-mail address already exists."), "email")
    check_password_rules(password)
    role_names = check_roles(roles)
    user = User(
        email=email,
        display_name=display_name.strip() or email.split("@")[0],
        password_hash=passwords.hash_password(password),
        password_changed_dt=utcnow(),
        locale=check_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]),
        role_links=[UserRole(role=name) for name in sorted(role_names)],
    )
    db.session.add(user)
    db.session.flush()
    signals.user_created.send(current_app._get_current_object(), user=user, actor=actor)
    return user


def set_roles(user: User, roles: Iterable[str], *, actor: User | None = None) -> None:
    """Give the user exactly these roles."""
    new_roles = check_roles(roles)
    old_roles = user.role_names
    if actor is not None and actor.id == user.id and "admin" in old_roles - new_roles:
        raise AccountError(_("You cannot take the administrator role from yourself."), "roles")
    user.role_links = [link for link in user.role_links if link.role in new_roles] + [
        UserRole(role=name) for name in sorted(new_roles - old_roles)
    ]
    db.session.flush()
    if old_roles != new_roles:
        reader_passes().forget(user_id=user.id)  # their menu on kept pages, in this process
        signals.user_roles_changed.send(
            current_app._get_current_object(),
            user=user,
            actor=actor,
            old_roles=old_roles,
            new_roles=new_roles,
        )


def update_profile(user: User, *, display_name: str, locale: str) -> None:
    """Change the user's name and language."""
    user.display_name = display_name.strip() or user.display_name
    user.locale = check_locale(locale)


def set_password(user: User, password: str, *, actor: User | None = None) -> None:
    """Set a new password and end the user's sessions."""
    check_password_rules(password)
    user.password_hash = passwords.hash_password(password)
    user.password_changed_dt = utcnow()
    end_all_sessions(user)
    signals.password_changed.send(current_app._get_current_object(), user=user, actor=actor)


def deactivate(user: User, *, actor: User | None = None) -> None:
    """Stop an account from signing in and end its sessions."""
    if actor is not None and actor.id == user.id:
        raise AccountError(_("You cannot deactivate your own account."))
    user.is_active_account = False
    end_all_sessions(user)
    signals.user_deactivated.send(current_app._get_current_object(), user=user, actor=actor)


def reactivate(user: User) -> None:
    """Allow a deactivated account to sign in again."""
    user.is_active_account = True


def list_users() -> list[User]:
    """Return every account, ordered by e-mail address."""
    return list(db.session.scalars(select(User).order_by(User.email)))


def get_user(email: str) -> User:
    """Return the user with this address, or raise AccountError."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise AccountError(_("No account with this e-mail address."), "email")
    return user
