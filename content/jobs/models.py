"""The record of job runs: one row per run, unique per job and period."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from content.db_types import UTCDateTime
from content.extensions import db

RUNNING = "running"
SUCCEEDED = "succeeded"
FAILED = "failed"


class JobRun(db.Model):
    """One run of a periodic job; the unique (job, period) row is the claim to run it."""

    __tablename__ = "job_runs"
    __table_args__ = (
        UniqueConstraint("job_name", "period_start_dt"),
        Index("ix_job_runs_job_name_started_dt", "job_name", "started_dt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_name: Mapped[str] = mapped_column(String(80))
    #: Start of the period the run belongs to; for a run started by hand, its start time.
    period_start_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    started_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: running, succeeded or failed.
    state: Mapped[str] = mapped_column(String(12))
    manual: Mapped[bool] = mapped_column(default=False)
    #: Host name and process id of the runner.
    runner: Mapped[str] = mapped_column(String(120))
    #: What the job returned (a count or a short summary).
    result: Mapped[str | None] = mapped_column(String(200))
    #: Exception type and first line of its message when the run failed.
    error: Mapped[str | None] = mapped_column(String(500))

    def __repr__(self) -> str:
        return f"<JobRun {self.job_name} {self.period_start_dt} {self.state}>"
