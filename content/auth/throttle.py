"""Login throttling per account and per client address, shared by every worker process.

Failures are kept in the database by default, or in Redis when ``REDIS_URL`` is set, so
the limits hold across gunicorn workers and app hosts alike.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import timedelta
from typing import Protocol

from flask import Flask, current_app
from sqlalchemy import delete, func, select

from content.auth.models import LoginFailure, utcnow
from content.extensions import db


class FailureStore(Protocol):
    """Where failed logins are counted."""

    def record(self, key: str) -> None:
        """Count one failure for the key."""

    def count(self, key: str, window: timedelta) -> int:
        """Return the failures of the key within the window."""

    def oldest(self, key: str, window: timedelta) -> float | None:
        """Return the age in seconds of the oldest failure within the window."""

    def clear(self, key: str) -> None:
        """Forget the key's failures (after a successful login)."""


class DatabaseFailureStore:
    """Failures as rows of ``login_failures``, each committed at once, apart from the request."""

    def record(self, key: str) -> None:
        """Insert one row, in its own transaction; the key's rows past the window go.

        Without the clean-up a busy key (an API client counts every call) would grow the
        table forever; every window in use is at most the login window.
        """
        now = utcnow()
        window = timedelta(minutes=current_app.config["LOGIN_THROTTLE_WINDOW_MINUTES"])
        with db.engine.begin() as conn:
            conn.execute(
                delete(LoginFailure).where(
                    LoginFailure.key == key, LoginFailure.failed_dt < now - window
                )
            )
            conn.execute(LoginFailure.__table__.insert().values(key=key, failed_dt=now))

    def count(self, key: str, window: timedelta) -> int:
        """Count failures since the window's start."""
        query = select(func.count()).where(
            LoginFailure.key == key, LoginFailure.failed_dt > utcnow() - window
        )
        return db.session.scalar(query) or 0

    def oldest(self, key: str, window: timedelta) -> float | None:
        """Return the age of the oldest failure within the window."""
        query = select(func.min(LoginFailure.failed_dt)).where(
            LoginFailure.key == key, LoginFailure.failed_dt > utcnow() - window
        )
        first = db.session.scalar(query)
        if first is None:
            return None
        return (utcnow() - first).total_seconds()

    def clear(self, key: str) -> None:
        """Delete the key's failures, in its own transaction."""
        with db.engine.begin() as conn:
            conn.execute(delete(LoginFailure).where(LoginFailure.key == key))


class RedisFailureStore:
    """Failures as sorted sets in Redis, one per key, expiring with the window."""

    def __init__(self, url: str) -> None:
        """Connect lazily to the Redis server at ``url``.

        :raise RuntimeError: the optional ``redis`` package is not installed.
        """
        # Imported here: only sites that set REDIS_URL need the package (the redis extra).
        try:
            import redis
        except ImportError as exc:
            raise RuntimeError(
                "REDIS_URL is set but the Python package 'redis' is not installed: "
                "install it with pip install 'tracing-app[redis]', or unset REDIS_URL "
                "to count login failures in the database."
            ) from exc
        self.redis = redis.Redis.from_url(url)

    def _name(self, key: str) -> str:
        return f"tracing:login-failures:{key}"

    def record(self, key: str) -> None:
        """Add a failure stamped now."""
        now = time.time()
        window = current_app.config["LOGIN_THROTTLE_WINDOW_MINUTES"] * 60
        pipe = self.redis.pipeline()
        pipe.zadd(self._name(key), {f"{now}:{time.perf_counter_ns()}": now})
        pipe.expire(self._name(key), int(window) + 1)
        pipe.execute()

    def count(self, key: str, window: timedelta) -> int:
        """Drop failures older than the window, count the rest."""
        pipe = self.redis.pipeline()
        pipe.zremrangebyscore(self._name(key), 0, time.time() - window.total_seconds())
        pipe.zcard(self._name(key))
        return int(pipe.execute()[1])

    def oldest(self, key: str, window: timedelta) -> float | None:
        """Return the age of the oldest failure within the window."""
        first = self.redis.zrangebyscore(
            self._name(key),
            time.time() - window.total_seconds(),
            "+inf",
            start=0,
            num=1,
            withscores=True,
        )
        return time.time() - first[0][1] if first else None

    def clear(self, key: str) -> None:
        """Delete the key's set."""
        self.redis.delete(self._name(key))


def init_throttle(app: Flask) -> None:
    """Choose the failure store for the app from its settings."""
    url = app.config.get("REDIS_URL")
    app.extensions["tracing.login_failures"] = (
        RedisFailureStore(url) if url else DatabaseFailureStore()
    )


def _store() -> FailureStore:
    return current_app.extensions["tracing.login_failures"]


def _key(kind: str, value: str) -> str:
    """Key a failure counter without keeping the e-mail address or IP in clear."""
    secret = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(secret, value.strip().lower().encode(), hashlib.sha256).hexdigest()
    return f"{kind}:{digest[:40]}"


def _limits(email: str, address: str) -> list[tuple[str, int]]:
    config = current_app.config
    return [
        (_key("account", email), config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]),
        (_key("address", address), config["LOGIN_MAX_FAILURES_PER_ADDRESS"]),
    ]


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["LOGIN_THROTTLE_WINDOW_MINUTES"])


def seconds_until_allowed(email: str, address: str) -> int:
    """Return 0 when a login may be tried, else the seconds until the next try is allowed."""
    wait = 0.0
    for key, limit in _limits(email, address):
        if _store().count(key, _window()) >= limit:
            age = _store().oldest(key, _window()) or 0.0
            wait = max(wait, _window().total_seconds() - age)
    return int(wait) + 1 if wait else 0


def record_failure(email: str, address: str) -> None:
    """Count a failed login against the account and the address."""
    for key, _limit in _limits(email, address):
        _store().record(key)


def clear_account(email: str) -> None:
    """Forget the account's failures after a successful login (the address keeps its count)."""
    _store().clear(_key("account", email))
