"""Password hashing with Argon2id (argon2-cffi).

Argon2id is meant to cost CPU and memory. A process computes at most
``PASSWORD_HASHES_AT_ONCE`` hashes at a time; further sign-ins wait for a slot without
using the CPU, so a burst of sign-ins (a shift start) cannot take every thread and core
from the requests of agents already at work.
"""

from __future__ import annotations

import contextlib
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app


def init_hasher(app: Flask) -> None:
    """Build the app's Argon2id hasher from its settings, with a dummy hash for unknown users."""
    hasher = PasswordHasher(
        time_cost=app.config["ARGON2_TIME_COST"],
        memory_cost=app.config["ARGON2_MEMORY_COST_KIB"],
        parallelism=app.config["ARGON2_PARALLELISM"],
    )
    app.extensions["tracing.hasher"] = hasher
    app.extensions["tracing.hash_slots"] = threading.BoundedSemaphore(
        app.config["PASSWORD_HASHES_AT_ONCE"]
    )
    # Verifying against this when the account does not exist costs the same time as a
    # real check, so response timing does not reveal which e-mail addresses exist.
    app.extensions["tracing.dummy_hash"] = hasher.hash("not a real password")


def _hasher() -> PasswordHasher:
    return current_app.extensions["tracing.hasher"]


def _slot() -> threading.BoundedSemaphore:
    return current_app.extensions["tracing.hash_slots"]


def hash_password(password: str) -> str:
    """Return the Argon2id hash of a password."""
    with _slot():
        return _hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Return whether the password matches; with no stored hash, spend the same time and fail."""
    with _slot():
        if not stored_hash:
            with contextlib.suppress(VerificationError):
                _hasher().verify(current_app.extensions["tracing.dummy_hash"], password)
            return False
        try:
            return _hasher().verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False


def needs_rehash(stored_hash: str) -> bool:
    """Return whether a hash was made with weaker parameters than the current ones."""
    return _hasher().check_needs_rehash(stored_hash)
