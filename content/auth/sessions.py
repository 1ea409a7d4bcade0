"""Server-side login sessions on top of Flask's signed cookie.

The cookie carries a random token; the ``auth_sessions`` row decides whether it still
opens a session. Logging out, deactivation, a password reset, the idle timeout and the
shift-length limit all end the row, so a copied cookie stops working everywhere (on the
public pages kept for signed-in readers, within ``READER_PASS_SECONDS``: reader_passes).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, g, request, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select, update
from sqlalchemy.orm import contains_eager

from content.auth.models import AuthSession, User, utcnow
from content.auth.reader_passes import ReaderPass, ReaderPasses
from content.auth.roles import allowed_before_second_factor
from content.extensions import db
from content.transactions import commit_keeping_loaded

#: ``AuthSession.second_factor_state``: asked at login and not given yet, or given.
SECOND_FACTOR_PENDING = "pending"
SECOND_FACTOR_VERIFIED = "verified"

TOKEN_KEY = "auth_token"  # noqa: S105 - a session key name, not a secret
# Writing last_seen on every request would turn every page view into a write.
LAST_SEEN_GRANULARITY = timedelta(seconds=60)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User) -> AuthSession:
    """Sign the user in with a fresh session; anything in the old cookie is dropped."""
    session.clear()  # rotation: nothing from before the login survives it
    token = secrets.token_urlsafe(32)
    auth_session = AuthSession(token_hash=_hash(token), user=user)
    db.session.add(auth_session)
    session[TOKEN_KEY] = token
    session.permanent = True
    login_user(user)
    user.last_login_dt = utcnow()
    g.auth_session = auth_session
    g.pop("second_factor_owed", None)
    return auth_session


def load_session_user(user_id: str) -> User | None:
    """Flask-Login user loader: the user of a live session matching the cookie, else None."""
    token = session.get(TOKEN_KEY)
    if not token or not user_id.isdigit():
        return None
    # Session row, user and roles in one round trip: this runs on every signed-in request.
    # Read from the database each time (no per-process cache), so an ended session or a
    # removed role counts on every host at once.
    auth_session = (
        db.session.scalars(
            select(AuthSession)
            .join(AuthSession.user)
            .where(AuthSession.token_hash == _hash(token), AuthSession.ended_dt.is_(None))
            .options(contains_eager(AuthSession.user).joinedload(User.role_links))
        )
        .unique()
        .one_or_none()
    )
    if auth_session is None or auth_session.user_id != int(user_id):
        return None
    now = utcnow()
    idle_limit = timedelta(minutes=current_app.config["IDLE_TIMEOUT_MINUTES"])
    max_age = timedelta(hours=current_app.config["SESSION_MAX_HOURS"])
    if now - auth_session.last_seen_dt > idle_limit or now - auth_session.created_dt > max_age:
        auth_session.ended_dt = now
        db.session.commit()
        g.session_expired = True
        return None
    if now - auth_session.last_seen_dt > LAST_SEEN_GRANULARITY:
        auth_session.last_seen_dt = now
        # The user and roles just read stay loaded: no second read of the same rows.
        commit_keeping_loaded()
    user = auth_session.user
    g.auth_session = auth_session  # the second-factor views read its state
    if not user.is_active:
        return None
    if owes_second_factor(auth_session, user) and not _view_allowed_before_second_factor():
        # Half signed in: anonymous everywhere but the second-factor pages and logout, so
        # no view (public ones included) acts for the user; the access check sends such
        # a session to the second-factor page instead of the login page.
        g.second_factor_owed = True
        return None
    return user


def reader_passes() -> ReaderPasses:
    """Return this app's reader passes (made on first use; content/auth/reader_passes.py)."""
    passes = current_app.extensions.get("tracing.reader_passes")
    if passes is None:
        # A pass must not outlive the need to write last_seen (the idle timeout).
        seconds = min(current_app.config["READER_PASS_SECONDS"], LAST_SEEN_GRANULARITY.seconds)
        passes = current_app.extensions.setdefault("tracing.reader_passes", ReaderPasses(seconds))
    return passes


def signed_in_reader() -> ReaderPass | None:
    """Who reads a page kept for signed-in readers (None: nobody is signed in).

    The fresh pass of this session when this process has one (no statement), else the
    session checked in full, as at every other request, and a pass kept from it. Only for
    pages any visitor may read: content.auth.reader_passes says why.
    """
    token = session.get(TOKEN_KEY)
    if token:
        found = reader_passes().get(_hash(token), str(session.get("_user_id")))
        if found is not None:
            return found
    user = current_user
    if not user.is_authenticated:
        return None
    return reader_passes().keep(_hash(token), user)


def second_factor_required(user: User) -> bool:
    """Return whether one of the user's roles must use a second factor (settings)."""
    required = set(current_app.config.get("SECOND_FACTOR_REQUIRED_ROLES") or ())
    return bool(required & user.role_names)


def owes_second_factor(auth_session: AuthSession, user: User) -> bool:
    """Return whether a session must still give its second factor.

    No query: the state was decided at login, and a role that needs a second factor
    (given after the login, say) is read from the loaded user.
    """
    state = auth_session.second_factor_state
    return state == SECOND_FACTOR_PENDING or (
        state != SECOND_FACTOR_VERIFIED and second_factor_required(user)
    )


def _view_allowed_before_second_factor() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return view is not None and allowed_before_second_factor(view)


def end_session() -> None:
    """Sign the current user out and end their session row."""
    token = session.get(TOKEN_KEY)
    if token:
        db.session.execute(
            update(AuthSession)
            .where(AuthSession.token_hash == _hash(token), AuthSession.ended_dt.is_(None))
            .values(ended_dt=utcnow())
        )
        reader_passes().forget(token_hash=_hash(token))
    logout_user()
    session.clear()


def end_all_sessions(user: User) -> None:
    """End every open session of a user (deactivation, password reset)."""
    db.session.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user.id, AuthSession.ended_dt.is_(None))
        .values(ended_dt=utcnow())
    )
    reader_passes().forget(user_id=user.id)
