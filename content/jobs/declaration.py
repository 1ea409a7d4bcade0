"""The declaration of a periodic job (what plugins return from ``tracing_jobs``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class Job:
    """A periodic task of a feature.

    :param name: unique dotted name, ``feature.verb_noun`` (shown in the CLI and admin page).
    :param label: what it does, for administrators (a lazy translatable string).
    :param every: its period; the runner starts it once per period.
    :param run: called with the current time inside an app context; it flushes its changes
        (the runner commits) and may return a count or a short summary without personal data.
    """

    name: str
    label: Any
    every: timedelta
    run: Callable[[datetime], int | str | None]

    def period_start(self, now: datetime) -> datetime:
        """Return the start of the period ``now`` falls in (periods count from the epoch)."""
        seconds = int(self.every.total_seconds())
        return datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, now.tzinfo)
