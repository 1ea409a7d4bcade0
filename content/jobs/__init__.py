"""Periodic jobs: features declare them through the ``tracing_jobs`` hook; one runner runs them.

A job runs at most once per period across every runner host: a run is a ``job_runs`` row
unique per (job, period), so the runner that inserts it first runs the job and the others
skip it (docs/operations.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Flask

__all__ = ["Job", "declared_jobs"]


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


def declared_jobs(app: Flask) -> dict[str, Job]:
    """Return the jobs every plugin declares, by name, in hook order.

    :raise ValueError: when two plugins declare the same name.
    """
    from content.plugins import hook

    jobs: dict[str, Job] = {}
    for found in hook(app).tracing_jobs(app=app):
        for job in found:
            if job.name in jobs:
                raise ValueError(f"Job {job.name!r} is declared twice")
            jobs[job.name] = job
    return jobs
