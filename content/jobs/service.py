"""``tracing-app jobs serve``: the runner as a long-running service."""

from __future__ import annotations

import logging
import signal
import threading

from flask import Flask

from content.extensions import db
from content.jobs import declared_jobs
from content.jobs.operations import run_due_jobs

logger = logging.getLogger(__name__)


def serve(app: Flask, *, poll_seconds: float, stop: threading.Event | None = None) -> None:
    """Run due jobs every ``poll_seconds`` until SIGTERM/SIGINT (or ``stop`` is set).

    A job in progress finishes before the loop ends (systemd's stop timeout bounds it).
    Every host may run this: each job still runs once per period.
    """
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_args: stop.set())
    jobs = declared_jobs(app)
    logger.info("Job runner started with %d jobs, polling every %ss", len(jobs), poll_seconds)
    while not stop.is_set():
        with app.app_context():
            try:
                run_due_jobs(jobs)
            except Exception:
                # The database may be away for a while (restart, failover): try next tick.
                logger.exception("Job runner tick failed")
            finally:
                db.session.remove()
        stop.wait(poll_seconds)
    logger.info("Job runner stopped")
