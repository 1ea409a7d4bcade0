"""Periodic jobs: features declare them through the ``tracing_jobs`` hook; one runner runs them.

A job runs at most once per period across every runner host: a run is a ``job_runs`` row
unique per (job, period), so the runner that inserts it first runs the job and the others
skip it (docs/operations.md).
"""

from __future__ import annotations

from flask import Flask

from content.jobs.declaration import Job

__all__ = ["Job", "declared_jobs"]


def declared_jobs(app: Flask) -> dict[str, Job]:
    """Return the jobs every plugin declares, by name, in hook order.

    :raise ValueError: when two plugins declare the same name.
    """
    from content.plugins import by_name, hook

    return by_name(hook(app).tracing_jobs(app=app), "Job")
