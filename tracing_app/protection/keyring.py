"""The application's data key ring, loaded once per process.

It comes from the instance folder or the environment (never from the database or
``app.config``) and is kept in ``app.extensions``.
"""

from __future__ import annotations

from flask import Flask, current_app

from tracing_app.protection.keyfile import load_key_ring
from tracing_app.protection.keys import KeyRing

EXTENSION = "tracing.key_ring"


def current_key_ring() -> KeyRing:
    """Return the key ring of the current app, loading it on first use.

    :raise KeyRingError: no key file and no ``TRACING_DATA_KEYS`` (run ``tracing-app init``).
    """
    ring = current_app.extensions.get(EXTENSION)
    if ring is None:
        ring = load_key_ring(current_app.instance_path)
        current_app.extensions[EXTENSION] = ring
    return ring


def forget_key_ring(app: Flask | None = None) -> None:
    """Drop the cached ring so the next use reads the key file again (after a change)."""
    (app or current_app).extensions.pop(EXTENSION, None)
