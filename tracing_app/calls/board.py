"""What the live wallboard watches: a version of the board, and the news that it changed.

The version is read from the newest rows of the tables the board shows (agents' state
changes, call attempts, telephony events, call orders): appending rows needs no shared
counter, so 2,000 agents changing state never queue on one row. On PostgreSQL a change
also sends ``NOTIFY tracing_wallboard`` in the same transaction, delivered at commit to
every app host listening (``wallboard_stream``); SQLite hosts poll the version. The
newest change's time is part of the version, so a database emptied and refilled (tests,
a restore) never repeats a version a host has rendered before.
"""

from __future__ import annotations

from sqlalchemy import text

from content.extensions import db

CHANNEL = "tracing_wallboard"

_VERSION = text(
    "SELECT (SELECT coalesce(max(id), 0) FROM agent_state_changes),"
    " (SELECT max(changed_dt) FROM agent_state_changes),"
    " (SELECT coalesce(max(id), 0) FROM call_attempts),"
    " (SELECT coalesce(max(id), 0) FROM telephony_call_events),"
    " (SELECT coalesce(max(id), 0) FROM call_orders)"
)


def version() -> str:
    """Return the board's version: it differs whenever something the board shows changed."""
    row = db.session.execute(_VERSION).one()
    return "-".join(str(value) for value in row)


def changed() -> None:
    """Tell listening hosts that the board changed (PostgreSQL: at commit; else nothing)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})
