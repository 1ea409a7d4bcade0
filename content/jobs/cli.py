"""``tracing-app jobs list|run|serve``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from content.i18n import _
from content.jobs import declared_jobs
from content.jobs.models import FAILED
from content.jobs.operations import run_due_jobs, run_job, statuses

jobs_group = AppGroup("jobs", help="Periodic jobs: list them, run them, or serve the runner.")


def _when(run) -> str:
    return run.started_dt.strftime("%Y-%m-%d %H:%M:%S UTC") if run else "-"


@jobs_group.command("list")
def list_command() -> None:
    """List the jobs with their period, last run and last failure."""
    for status in statuses(declared_jobs(current_app)):
        job, last = status.job, status.last_run
        minutes = int(job.every.total_seconds() // 60)
        state = last.state if last else _("never run")
        click.echo(f"{job.name:<32} {minutes:>6} min  {_when(last):<24} {state}")
        failure = status.last_failure
        if failure:
            line = _("last failure %(when)s: %(error)s", when=_when(failure), error=failure.error)
            click.echo("    " + line)


@jobs_group.command("run")
@click.argument("name", required=False)
def run_command(name: str | None) -> None:
    """Run one job now (NAME), or every job whose period has no run yet (for cron)."""
    jobs = declared_jobs(current_app)
    if name is not None:
        if name not in jobs:
            raise click.ClickException(_("No job named %(name)s.", name=name))
        runs = [run_job(jobs[name], manual=True)]
    else:
        runs = run_due_jobs(jobs)
    failed = False
    for run in runs:
        click.echo(f"{run.job_name}: {run.state} {run.result or run.error or ''}".rstrip())
        failed = failed or run.state == FAILED
    if not runs:
        click.echo(_("No job was due."))
    if failed:
        raise SystemExit(1)


@jobs_group.command("serve")
@click.option(
    "--poll", type=float, default=None, help="Seconds between checks (JOBS_POLL_SECONDS)."
)
def serve_command(poll: float | None) -> None:
    """Run due jobs until stopped; start one per host or several, each job runs once per period."""
    from content.jobs.service import serve

    serve(
        current_app._get_current_object(),
        poll_seconds=poll or current_app.config["JOBS_POLL_SECONDS"],
    )
