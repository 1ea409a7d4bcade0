"""Job runs as Prometheus gauges, read from ``job_runs`` (the runner is its own process)."""

from __future__ import annotations

from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from content.extensions import db
from content.jobs.models import FAILED, SUCCEEDED, JobRun


def job_metrics() -> list[GaugeMetricFamily]:
    """Return runs per job and state (kept window), and last success/failure times."""
    runs = GaugeMetricFamily(
        "tracing_job_runs", "Recorded job runs (last JOB_RUNS_KEEP_DAYS), by job and state.",
        labels=["job", "state"],
    )  # fmt: skip
    for job, state, count in db.session.execute(
        select(JobRun.job_name, JobRun.state, func.count()).group_by(JobRun.job_name, JobRun.state)
    ):
        runs.add_metric([job, state], count)
    families = [runs]
    for state, name in ((SUCCEEDED, "success"), (FAILED, "failure")):
        last = GaugeMetricFamily(
            f"tracing_job_last_{name}_timestamp_seconds",
            f"Start of each job's last {name} (Unix time); alert when a success gets old.",
            labels=["job"],
        )
        for job, started in db.session.execute(
            select(JobRun.job_name, func.max(JobRun.started_dt))
            .where(JobRun.state == state)
            .group_by(JobRun.job_name)
        ):
            last.add_metric([job], _timestamp(started))
        families.append(last)
    return families


def _timestamp(value) -> float:
    # func.max() returns the raw column value: naive UTC on both databases.
    from datetime import UTC

    return value.replace(tzinfo=UTC).timestamp()
