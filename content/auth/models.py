"""Accounts, their roles, login sessions and failed-login records."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.extensions import db

#: Where the session loader puts the roles it read with the user (a frozenset; not mapped).
ROLE_NAMES_READ = "_role_names_read"


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class User(UserMixin, db.Model):
    """A person who signs in: staff of the call centre, all of them learners."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    locale: Mapped[str] = mapped_column(String(8), default="nl")
    is_active_account: Mapped[bool] = mapped_column(default=True)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_dt: Mapped[datetime | None]
    password_changed_dt: Mapped[datetime | None]

    role_links: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        """Return whether the account may sign in."""
        return self.is_active_account

    @property
    def role_names(self) -> frozenset[str]:
        """Return the names of the roles this user holds.

        The session loader gives them with the user (``ROLE_NAMES_READ``), so a signed-in
        request never loads ``role_links``; once the links are loaded or changed, they decide.
        """
        if "role_links" not in self.__dict__:
            read = self.__dict__.get(ROLE_NAMES_READ)
            if read is not None:
                return read
        return frozenset(link.role for link in self.role_links)

    def can(self, permission: str) -> bool:
        """Return whether the user's roles grant the permission."""
        from content.auth.roles import registry

        return self.is_active and registry().allows(self.role_names, permission)

    def __repr__(self) -> str:
        return f"<User {self.id} roles={sorted(self.role_names)}>"


@event.listens_for(User.role_links, "set")
@event.listens_for(User.role_links, "append")
@event.listens_for(User.role_links, "remove")
def _forget_role_names_read(user: User, *_args) -> None:
    """The roles read with the session no longer hold once the links change."""
    user.__dict__.pop(ROLE_NAMES_READ, None)


class UserRole(db.Model):
    """One role held by one user."""

    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(40), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_links")

    def __repr__(self) -> str:
        return f"<UserRole {self.user_id} {self.role}>"


class AuthSession(db.Model):
    """A server-side login session: the cookie holds its token, the table decides if it lives.

    Only a SHA-256 of the token is stored, so a copy of the table opens no session.
    """

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_dt: Mapped[datetime] = mapped_column(default=utcnow)
    ended_dt: Mapped[datetime | None]
    #: None: no second factor asked at login; "pending": asked, not given yet (the session
    #: reaches only the second-factor pages and logout); "verified": given.
    second_factor_state: Mapped[str | None] = mapped_column(String(16))

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<AuthSession {self.id} user={self.user_id} ended={self.ended_dt}>"


class LoginFailure(db.Model):
    """One failed login, counted per key (a hashed account name or client address)."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_dt", "key", "failed_dt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80))
    failed_dt: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<LoginFailure {self.key[:12]}… {self.failed_dt}>"
