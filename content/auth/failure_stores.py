"""Where failed logins (and API calls) are counted: the database, or Redis when configured.

Every store counts *first*: :meth:`FailureStore.hit` adds the attempt and returns how many
the key has in the window, this one included, as one atomic step. A burst of parallel
guesses therefore sees the counts 1, 2, 3… and only the first ``limit`` of them get a
password check; reading the count before and recording after would let them all through.
"""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from typing import Protocol

from flask import current_app
from sqlalchemy import delete, func, select

from content.auth.models import LoginFailure, utcnow
from content.extensions import db


class FailureStore(Protocol):
    """Where failed logins are counted."""

    def hit(self, key: str, window: timedelta) -> tuple[int, str]:
        """Count one attempt atomically.

        :return: the key's attempts in the window, this one included, and a handle that
            :meth:`release` takes to uncount it.
        """

    def release(self, key: str, handle: str) -> None:
        """Uncount one attempt counted by :meth:`hit` (it was not a failure after all)."""

    def record(self, key: str) -> None:
        """Count one failure for the key."""

    def count(self, key: str, window: timedelta) -> int:
        """Return the failures of the key within the window."""

    def oldest(self, key: str, window: timedelta) -> float | None:
        """Return the age in seconds of the oldest failure within the window."""

    def clear(self, key: str) -> None:
        """Forget the key's failures (after a successful login)."""


def _login_window() -> timedelta:
    return timedelta(minutes=current_app.config["LOGIN_THROTTLE_WINDOW_MINUTES"])


class DatabaseFailureStore:
    """Failures as rows of ``login_failures``, each committed at once, apart from the request."""

    def _insert(self, key: str) -> int:
        """Insert one row in its own transaction; the key's rows past the window go.

        Without the clean-up a busy key (an API client counts every call) would grow the
        table forever; every window in use is at most the login window.
        """
        now = utcnow()
        with db.engine.begin() as conn:
            conn.execute(
                delete(LoginFailure).where(
                    LoginFailure.key == key, LoginFailure.failed_dt < now - _login_window()
                )
            )
            return conn.execute(
                LoginFailure.__table__.insert()
                .values(key=key, failed_dt=now)
                .returning(LoginFailure.id)
            ).scalar_one()

    def hit(self, key: str, window: timedelta) -> tuple[int, str]:
        """Insert and commit a row, then count the key's committed rows.

        Counting after the commit, on a fresh connection, is what makes it atomic on both
        databases: the n-th attempt to commit sees at least n rows, so at most ``limit``
        concurrent attempts see a count within the limit (a count inside the inserting
        transaction would miss rows that other transactions have not committed yet).
        """
        row_id = self._insert(key)
        with db.engine.connect() as conn:
            count = conn.scalar(
                select(func.count()).where(
                    LoginFailure.key == key, LoginFailure.failed_dt > utcnow() - window
                )
            )
        return int(count or 0), str(row_id)

    def release(self, key: str, handle: str) -> None:
        """Delete the row of one attempt."""
        with db.engine.begin() as conn:
            conn.execute(
                delete(LoginFailure).where(LoginFailure.key == key, LoginFailure.id == int(handle))
            )

    def record(self, key: str) -> None:
        """Insert one row, in its own transaction."""
        self._insert(key)

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
        with db.engine.connect() as conn:
            first = conn.scalar(query)
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

    def hit(self, key: str, window: timedelta) -> tuple[int, str]:
        """Drop old entries, add this one and count, in one MULTI/EXEC transaction."""
        now = time.time()
        member = f"{now}:{uuid.uuid4().hex}"
        ttl = int(max(window, _login_window()).total_seconds()) + 1
        pipe = self.redis.pipeline(transaction=True)
        pipe.zremrangebyscore(self._name(key), 0, now - window.total_seconds())
        pipe.zadd(self._name(key), {member: now})
        pipe.zcard(self._name(key))
        pipe.expire(self._name(key), ttl)
        return int(pipe.execute()[2]), member

    def release(self, key: str, handle: str) -> None:
        """Remove one attempt's entry."""
        self.redis.zrem(self._name(key), handle)

    def record(self, key: str) -> None:
        """Add a failure stamped now."""
        now = time.time()
        pipe = self.redis.pipeline()
        pipe.zadd(self._name(key), {f"{now}:{uuid.uuid4().hex}": now})
        pipe.expire(self._name(key), int(_login_window().total_seconds()) + 1)
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
