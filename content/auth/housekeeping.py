"""Periodic clean-up of login sessions and failed-login rows (jobs of content.plugin)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_

from content.auth.models import AuthSession, LoginFailure
from content.extensions import db

#: Ended sessions are kept this long (a support question about a sign-out, then gone).
ENDED_SESSION_KEEP = timedelta(days=7)


def prune_sessions(now: datetime) -> int:
    """Delete sessions ended a week ago or that can no longer be alive; return how many."""
    max_age = timedelta(hours=current_app.config["SESSION_MAX_HOURS"])
    result = db.session.execute(
        delete(AuthSession).where(
            or_(
                AuthSession.ended_dt < now - ENDED_SESSION_KEEP,
                # Past the maximum age a session is refused anyway; a week on, it goes.
                AuthSession.created_dt < now - max_age - ENDED_SESSION_KEEP,
            )
        )
    )
    return result.rowcount


def prune_login_failures(now: datetime) -> int:
    """Delete failed-login rows older than the throttle window; return how many.

    Each key cleans its own old rows when it fails again; keys that never fail again
    would otherwise stay forever. No rows exist when failures are counted in Redis.
    """
    window = timedelta(minutes=current_app.config["LOGIN_THROTTLE_WINDOW_MINUTES"])
    result = db.session.execute(delete(LoginFailure).where(LoginFailure.failed_dt < now - window))
    return result.rowcount
