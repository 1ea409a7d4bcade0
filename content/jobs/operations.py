"""Running jobs: claim the period with a row, run, record the outcome.

The claim is an INSERT into ``job_runs`` under a unique (job, period) constraint,
committed before the job starts. Whichever runner commits it first runs the job; the
others get an integrity error and skip it. This needs no advisory lock and no extra
service, so it works the same on SQLite (one writer at a time) and PostgreSQL (the
second INSERT waits for the first transaction, then fails).
"""

from __future__ import annotations

import logging
import os
import socket
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from content.extensions import db
from content.jobs import Job
from content.jobs.models import FAILED, RUNNING, SUCCEEDED, JobRun

logger = logging.getLogger(__name__)


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def runner_name() -> str:
    """Return this process's name in run records: host name and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def claim(job: Job, *, now: datetime, manual: bool = False) -> JobRun | None:
    """Record a run of ``job`` for the period of ``now`` and commit; None when already taken."""
    period = now if manual else job.period_start(now)
    run = JobRun(
        job_name=job.name,
        period_start_dt=period,
        started_dt=now,
        state=RUNNING,
        manual=manual,
        runner=runner_name(),
    )
    db.session.add(run)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return run


def _describe(exc: BaseException) -> str:
    # The first line only: database errors put the statement's parameters on later lines.
    first_line = (str(exc).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first_line}"[:500]


def execute(job: Job, run: JobRun, *, now: datetime) -> JobRun:
    """Run a claimed job, commit its work, and record success or failure.

    A failure rolls the job's changes back, is logged (type, message's first line and
    stack, no values) and is kept on the run for the admin page; it is not raised.
    """
    run_id = run.id
    try:
        result = job.run(now)
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        run = db.session.get(JobRun, run_id)
        run.state, run.error = FAILED, _describe(exc)
        logger.error(
            "Job %s failed: %s\n%s",
            job.name,
            run.error,
            "".join(traceback.format_tb(exc.__traceback__)),
        )
    else:
        run = db.session.get(JobRun, run_id)
        run.state = SUCCEEDED
        run.result = None if result is None else str(result)[:200]
        logger.info("Job %s succeeded: %s", job.name, run.result)
    run.finished_dt = utcnow()
    db.session.commit()
    return run


def run_job(job: Job, *, now: datetime | None = None, manual: bool = False) -> JobRun | None:
    """Claim and run ``job``; None when another runner has this period's run."""
    now = now or utcnow()
    run = claim(job, now=now, manual=manual)
    if run is None:
        logger.debug("Job %s: this period's run is taken", job.name)
        return None
    return execute(job, run, now=now)


def run_due_jobs(jobs: dict[str, Job], *, now: datetime | None = None) -> list[JobRun]:
    """Run every job whose current period has no run yet; return the runs made here."""
    now = now or utcnow()
    done = []
    for job in jobs.values():
        if _has_run(job, now):
            continue  # spares a failing INSERT per job and tick
        run = run_job(job, now=now)
        if run is not None:
            done.append(run)
    return done


def _has_run(job: Job, now: datetime) -> bool:
    period = job.period_start(now)
    return (
        db.session.scalar(
            select(func.count()).where(
                JobRun.job_name == job.name,
                JobRun.manual.is_(False),
                JobRun.period_start_dt == period,
            )
        )
        > 0
    )


@dataclass(frozen=True)
class JobStatus:
    """A job with its latest run and latest failure, for the admin page and ``jobs list``."""

    job: Job
    last_run: JobRun | None
    last_failure: JobRun | None


def statuses(jobs: dict[str, Job]) -> list[JobStatus]:
    """Return each job's latest run and latest failed run."""

    def latest(name: str, *conditions) -> JobRun | None:
        return db.session.scalar(
            select(JobRun)
            .where(JobRun.job_name == name, *conditions)
            .order_by(JobRun.started_dt.desc(), JobRun.id.desc())
            .limit(1)
        )

    return [
        JobStatus(job, latest(name), latest(name, JobRun.state == FAILED))
        for name, job in jobs.items()
    ]


def prune_runs(*, now: datetime, keep_days: int) -> int:
    """Delete run records older than ``keep_days`` days; return how many."""
    result = db.session.execute(
        JobRun.__table__.delete().where(JobRun.started_dt < now - timedelta(days=keep_days))
    )
    return result.rowcount
