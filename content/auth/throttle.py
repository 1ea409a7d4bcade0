"""Login throttling per account and per client address, shared by every worker process.

Failures are kept in the database by default, or in Redis when ``REDIS_URL`` is set, so
the limits hold across gunicorn workers and app hosts alike (``failure_stores.py``).

Each try is counted *before* its password is checked (:func:`begin_attempt`) and uncounted
when it succeeds, so parallel guesses cannot get more checks than the limit. Two limits:

- per account, strict (``LOGIN_MAX_FAILURES_PER_ACCOUNT``, 5): guessing one password;
- per client address, high (``LOGIN_MAX_FAILURES_PER_ADDRESS``, 500): spraying many
  accounts. A call centre behind one NAT or proxy shares an address, so a few agents'
  typos must not lock everyone out; behind a reverse proxy set ``TRUSTED_PROXIES`` so the
  address is the client's, not the proxy's.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import timedelta

from flask import Flask, current_app

from content.auth.failure_stores import DatabaseFailureStore, FailureStore, RedisFailureStore

__all__ = [
    "Attempt",
    "DatabaseFailureStore",
    "FailureStore",
    "RedisFailureStore",
    "begin_attempt",
    "init_throttle",
    "succeeded",
]


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


def _limits(email: str, address: str, kind: str) -> list[tuple[str, int]]:
    config = current_app.config
    return [
        (_key(kind, email), config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]),
        (_key("address", address), config["LOGIN_MAX_FAILURES_PER_ADDRESS"]),
    ]


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["LOGIN_THROTTLE_WINDOW_MINUTES"])


@dataclass
class Attempt:
    """A login try counted against the limits; ``wait_seconds`` is set when it is refused."""

    email: str
    kind: str = "account"
    wait_seconds: int = 0
    counted: list[tuple[str, str]] = field(default_factory=list)


def begin_attempt(email: str, address: str, *, kind: str = "account") -> Attempt:
    """Count a try against the account and the address before its password is checked.

    A try over a limit is refused (and uncounted, so waiting ends the lockout); otherwise
    it stays counted as a failure unless :func:`succeeded` says otherwise. ``kind``
    separates the counters of the password (``account``) from those of the second factor
    (``second-factor``, ``email`` then names the user by id), under the same limits.
    """
    attempt = Attempt(email, kind)
    wait = 0.0
    for key, limit in _limits(email, address, kind):
        count, handle = _store().hit(key, _window())
        attempt.counted.append((key, handle))
        if count > limit:
            age = _store().oldest(key, _window()) or 0.0
            wait = max(wait, _window().total_seconds() - age, 1.0)
    if wait:
        _uncount(attempt)
        attempt.wait_seconds = int(wait) + 1
    return attempt


def _uncount(attempt: Attempt) -> None:
    for key, handle in attempt.counted:
        _store().release(key, handle)
    attempt.counted = []


def succeeded(attempt: Attempt) -> None:
    """The password was right: uncount the try and forget the account's failures.

    The address keeps the failures of other accounts.
    """
    _uncount(attempt)
    _store().clear(_key(attempt.kind, attempt.email))
