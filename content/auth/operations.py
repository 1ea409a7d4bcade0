"""Signing in: the rules for credentials, throttling and rehashing."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select

from content import signals
from content.auth import passwords, throttle
from content.auth.models import User
from content.auth.second_factor import operations as second_factor
from content.auth.sessions import start_session
from content.extensions import db

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoginResult:
    """What came of a login attempt; ``wait_seconds`` is set when throttled."""

    user: User | None = None
    wait_seconds: int = 0

    @property
    def ok(self) -> bool:
        """Return whether the user is now signed in."""
        return self.user is not None


def find_user_by_email(email: str) -> User | None:
    """Return the user with this e-mail address (case-insensitive), or None."""
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def log_in(email: str, password: str, address: str) -> LoginResult:
    """Check credentials and sign the user in.

    Unknown account, wrong password and deactivated account fail alike, in similar time.
    No personal data is logged: not the e-mail address, not the client address.
    """
    attempt = throttle.begin_attempt(email, address)  # counted before the password check
    if attempt.wait_seconds:
        signals.login_failed.send(reason="throttled")
        logger.warning("Login refused: too many failures")
        return LoginResult(wait_seconds=attempt.wait_seconds)
    user = find_user_by_email(email)
    password_ok = passwords.verify_password(user.password_hash if user else None, password)
    if not (user and password_ok and user.is_active):
        signals.login_failed.send(reason="credentials")
        logger.info("Login failed")
        return LoginResult()
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    throttle.succeeded(attempt)
    second_factor.start(start_session(user), user)
    logger.info("User %s signed in", user.id)
    return LoginResult(user=user)
