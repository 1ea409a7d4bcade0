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
from sqlalchemy import bindparam, select, update

from content.attached_rows import attached
from content.auth.models import ROLE_NAMES_READ, AuthSession, User, UserRole, utcnow
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


#: The session row, its user and the user's roles (one row per role): a Core statement,
#: built once, run on every signed-in request. No ORM loading, no eager-load machinery.
#: (The models' attributes are named as their columns.)
_SESSION_TABLE = AuthSession.__table__
_USER_TABLE = User.__table__
_ROLE_TABLE = UserRole.__table__
_SESSION_COLUMNS = ("id", "user_id", "created_dt", "last_seen_dt", "second_factor_state")
_SESSION_USER = (
    select(
        *(_SESSION_TABLE.c[name].label(f"s_{name}") for name in _SESSION_COLUMNS),
        *(column.label(f"u_{column.key}") for column in _USER_TABLE.c if column.key != "id"),
        _ROLE_TABLE.c.role,
    )
    .join(_USER_TABLE, _USER_TABLE.c.id == _SESSION_TABLE.c.user_id)
    .outerjoin(_ROLE_TABLE, _ROLE_TABLE.c.user_id == _USER_TABLE.c.id)
    .where(
        _SESSION_TABLE.c.token_hash == bindparam("token_hash"),
        _SESSION_TABLE.c.ended_dt.is_(None),
    )
)


def load_session_user(user_id: str) -> User | None:
    """Flask-Login user loader: the user of a live session matching the cookie, else None."""
    token = session.get(TOKEN_KEY)
    if not token or not user_id.isdigit():
        return None
    # Session row, user and roles in one round trip: this runs on every signed-in request.
    # Read from the database each time (no per-process cache), so an ended session or a
    # removed role counts on every host at once.
    rows = db.session.connection().execute(_SESSION_USER, {"token_hash": _hash(token)}).all()
    if not rows or rows[0].s_user_id != int(user_id):
        return None
    found = rows[0]._mapping
    now = utcnow()
    idle_limit = timedelta(minutes=current_app.config["IDLE_TIMEOUT_MINUTES"])
    max_age = timedelta(hours=current_app.config["SESSION_MAX_HOURS"])
    seen = found["s_last_seen_dt"]
    if now - seen > idle_limit or now - found["s_created_dt"] > max_age:
        db.session.execute(
            update(AuthSession)
            .where(AuthSession.id == found["s_id"], AuthSession.ended_dt.is_(None))
            .values(ended_dt=now)
        )
        db.session.commit()
        g.session_expired = True
        return None
    auth_session = attached(AuthSession, {n: found[f"s_{n}"] for n in _SESSION_COLUMNS})
    user = attached(
        User,
        {"id": found["s_user_id"]}
        | {c.key: found[f"u_{c.key}"] for c in _USER_TABLE.c if c.key != "id"},
        **{ROLE_NAMES_READ: frozenset(row.role for row in rows if row.role is not None)},
    )
    if now - seen > LAST_SEEN_GRANULARITY:
        auth_session.last_seen_dt = now
        # The user and roles just read stay loaded: no second read of the same rows.
        commit_keeping_loaded()
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
    pages any visitor may read, and the views that say ``on_reader_pass``:
    content.auth.reader_passes says why.
    """
    found = g.get("reader_pass")
    if found is not None:
        return found
    token = session.get(TOKEN_KEY)
    if token:
        found = reader_passes().get(_hash(token), str(session.get("_user_id")))
    if found is None:
        user = current_user
        if not user.is_authenticated:
            return None
        found = reader_passes().keep(_hash(token), user)
    g.reader_pass = found
    return found


def reader_may_see_drafts() -> bool:
    """Return whether this request's reader may see drafts (shared fragments: not for them).

    A view opened on a pass that sees no drafts reads no session for it; otherwise (a pass
    that sees drafts, or the session already checked) the session checked in full decides,
    so a role lost on another host never lets drafts into what readers share.
    """
    found = g.get("reader_pass")
    if found is not None and not found.sees_drafts and "_login_user" not in g:
        return False  # Flask-Login keeps a loaded user in g._login_user
    return current_user.is_authenticated and current_user.can("content.view_drafts")


def checked_user() -> User | None:
    """The signed-in user, the session checked in full (even when a pass opened the view).

    What a view answered on a reader pass calls before it writes: None when the session
    ended since the pass was made (on another host, within ``READER_PASS_SECONDS``).
    """
    user = current_user
    return user._get_current_object() if user.is_authenticated else None


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
