"""The retention purge, declared as a daily job by the workspace plugin."""

from __future__ import annotations

from datetime import datetime

from tracing_app.retention.purge import purge


def purge_expired(now: datetime) -> str:
    """Erase what is past its retention period; say how many records of each kind went."""
    done = purge(now)
    return ", ".join(f"{kind}: {count}" for kind, count in done.items())
