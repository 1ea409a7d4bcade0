"""Request handling of the jobs page: what ran, when, and what failed."""

from __future__ import annotations

from flask import current_app, render_template

from content.auth.roles import requires
from content.jobs import declared_jobs
from content.jobs.operations import statuses


@requires("jobs.monitor")
def list_jobs():
    """List every declared job with its period, last run and last failure."""
    return render_template("jobs/list.html", statuses=statuses(declared_jobs(current_app)))
