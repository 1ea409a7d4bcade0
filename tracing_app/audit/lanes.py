"""Lanes of the audit chain: concurrent writers append without waiting on each other.

The log is ``LANES`` hash chains interleaved in one table (column ``lane``). A writer
appends to a lane no other transaction holds (PostgreSQL: a transaction-level advisory
lock per lane, tried from the lane its thread appended to last, so each of up to ``LANES``
workers keeps to a lane of its own) and keeps it until its transaction ends; a second
entry of the same transaction goes to the same lane.
Within a lane, ids follow commit order as before; across lanes they need not, so whoever
needs the whole log at rest (a checkpoint, rekey, maintenance) holds every lane at once:
in-flight appends finish first, and later ones get higher ids. SQLite has one writer at a
time anyway: everything goes to lane 0 under its write lock. See docs/audit-log.md.
"""

from __future__ import annotations

import itertools
import os
import threading

from sqlalchemy import Connection, text

#: Number of lanes (a constant: every host must agree, and whole-log locks cover them all).
LANES = 8

#: Key of the PostgreSQL advisory lock of lane 0 (lane n: + n; "audit" in ASCII).
APPEND_LOCK_KEY = 0x6175646974

#: The ``previous_hash`` of a lane's first entry: 64 zeros for lane 0 (the chain from
#: before lanes), the lane number in hexadecimal for the others (unique, like every link).
GENESIS_HASH = "0" * 64


def genesis(lane: int) -> str:
    """Return the ``previous_hash`` of the first entry of ``lane``."""
    return f"{lane:064x}"


#: The lane each thread appended to last (its first: spread by process id and thread).
_preferred = threading.local()
_thread_numbers = itertools.count()


def preferred_lane() -> int:
    """Return the lane this thread last committed an entry to, where its appends go first.

    A writer that keeps to its own lane finds the head it committed there still the head
    (``operations``: one statement per append). The first choice spreads processes (their
    ids) and the threads of one process over the lanes.
    """
    lane = getattr(_preferred, "lane", None)
    if lane is None:
        lane = _preferred.lane = (os.getpid() + next(_thread_numbers)) % LANES
    return lane


def prefer_lane(lane: int) -> None:
    """Make ``lane`` this thread's first choice (it committed an entry there)."""
    _preferred.lane = lane


def lane_lock_key(lane: int) -> int:
    """Return the key of the PostgreSQL advisory lock of ``lane``."""
    return APPEND_LOCK_KEY + lane


def take_lane(connection: Connection, prefer: int = 0) -> int:
    """Take a lane for this transaction and return it; held until the transaction ends.

    PostgreSQL: ``prefer`` first, then the next ones; a lane this transaction holds already
    is taken again at once (advisory locks are re-entrant), so it never holds two.
    """
    if connection.dialect.name != "postgresql":
        take_all_lanes(connection)
        return 0
    for step in range(LANES):
        lane = (prefer + step) % LANES
        taken = connection.execute(
            text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": lane_lock_key(lane)}
        ).scalar()
        if taken:
            return lane
    # Every lane busy (a whole-log lock, or more writers than lanes): queue on the preferred
    # one. Nothing else is held, so this waits for no one who waits for us.
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lane_lock_key(prefer)})
    return prefer


def take_all_lanes(connection: Connection) -> None:
    """Hold the whole log until the transaction ends: no append is in flight or can start."""
    if connection.dialect.name == "postgresql":
        # In lane order, like every holder of several lanes: no deadlock between them.
        connection.execute(
            text("SELECT pg_advisory_xact_lock(:key + n) FROM generate_series(0, :last) AS n"),
            {"key": APPEND_LOCK_KEY, "last": LANES - 1},
        )
    elif connection.dialect.name == "sqlite":
        # A write that changes nothing: the driver opens the transaction (BEGIN) and SQLite
        # takes its single write lock now, waiting out the busy timeout, so the last hash
        # is read by the only writer and stays the last one until commit.
        connection.execute(text("DELETE FROM audit_log WHERE 0"))


def try_all_lanes(connection: Connection) -> bool:
    """Hold the whole log if no append is in flight, without waiting; return whether held.

    On False the caller ends the transaction (which frees the lanes it did get).
    """
    if connection.dialect.name != "postgresql":
        return True  # SQLite: one writer at a time, ids follow commit order anyway
    return bool(
        connection.execute(
            text(
                "SELECT bool_and(pg_try_advisory_xact_lock(:key + n))"
                " FROM generate_series(0, :last) AS n"
            ),
            {"key": APPEND_LOCK_KEY, "last": LANES - 1},
        ).scalar()
    )
