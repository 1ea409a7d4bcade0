"""Periodic jobs: declared by each layer, run once per period across runners, failures shown."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from content.auth.models import AuthSession, LoginFailure, User
from content.extensions import db
from content.hookspecs import hookimpl
from content.jobs import Job, declared_jobs
from content.jobs.models import JobRun
from content.jobs.operations import run_due_jobs, run_job
from content.plugins import plugin_manager

pytestmark = pytest.mark.db

NOON = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


class _Plugin:
    """A throwaway plugin declaring the given jobs."""

    def __init__(self, *jobs: Job) -> None:
        self.jobs = list(jobs)

    @hookimpl
    def tracing_jobs(self, app):
        return self.jobs


@pytest.fixture
def declare(app):
    """Register throwaway jobs for the test; unregistered afterwards."""
    registered = []

    def register(*jobs: Job) -> None:
        plugin = _Plugin(*jobs)
        plugin_manager(app).register(plugin)
        registered.append(plugin)

    yield register
    for plugin in registered:
        plugin_manager(app).unregister(plugin)


def _runs(name: str) -> list[JobRun]:
    db.session.expire_all()
    return list(db.session.scalars(select(JobRun).where(JobRun.job_name == name)))


def test_each_layer_declares_its_jobs_next_to_its_feature(app):
    names = set(declared_jobs(app))
    assert {
        "auth.prune_sessions",
        "auth.prune_login_failures",
        "jobs.prune_runs",
        "quizzes.grade_overdue_attempts",
        "audit.verify_chain",
        "audit.checkpoint",
        "retention.purge",
    } <= names


def test_the_audit_log_is_anchored_by_a_job(app):
    from tracing_app.audit.checkpoints import checkpoint_path
    from tracing_app.audit.operations import record

    record("test.anchor", actor=None, subject_type="test", subject_id="1")
    db.session.commit()
    before = checkpoint_path().read_text() if checkpoint_path().exists() else ""

    run = run_job(declared_jobs(app)["audit.checkpoint"], now=NOON)

    assert run.state == "succeeded"
    assert checkpoint_path().read_text().startswith(before)
    assert len(checkpoint_path().read_text()) > len(before)


def test_a_job_runs_once_per_period(app, declare):
    calls = []
    declare(Job("test.count", "count", timedelta(minutes=5), lambda now: calls.append(now)))
    jobs = {"test.count": declared_jobs(app)["test.count"]}

    assert len(run_due_jobs(jobs, now=NOON)) == 1
    assert run_due_jobs(jobs, now=NOON + timedelta(minutes=4)) == []  # same period
    assert len(run_due_jobs(jobs, now=NOON + timedelta(minutes=5))) == 1  # the next one
    assert calls == [NOON, NOON + timedelta(minutes=5)]
    assert [run.state for run in _runs("test.count")] == ["succeeded", "succeeded"]


def test_two_runners_at_once_run_a_job_once_per_period(app, declare):
    calls = []
    lock = threading.Lock()

    def slow_job(now):
        with lock:
            calls.append(now)
        time.sleep(0.3)  # still running while the other runner tries
        return "done"

    declare(Job("test.slow", "slow", timedelta(hours=1), slow_job))
    jobs = {"test.slow": declared_jobs(app)["test.slow"]}
    start = threading.Barrier(4)
    outcomes = []

    def runner(offset):
        with app.app_context():
            start.wait()
            runs = run_due_jobs(jobs, now=NOON + timedelta(seconds=offset))
            outcomes.append([run.state for run in runs])
            db.session.remove()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert len(calls) == 1
    assert sorted(outcomes) == [[], [], [], ["succeeded"]]
    (run,) = _runs("test.slow")
    assert run.result == "done"
    assert run.period_start_dt == NOON


def test_a_failing_job_is_rolled_back_recorded_and_shown_to_administrators(
    app, declare, client, auth, runner
):
    def failing(now):
        db.session.add(User(email="half@example.org", display_name="Half", locale="en"))
        db.session.flush()
        raise RuntimeError("the exchange server did not answer")

    declare(Job("test.failing", "Failing job", timedelta(minutes=1), failing))
    run = run_job(declared_jobs(app)["test.failing"], now=NOON)

    assert run.state == "failed"
    assert run.error == "RuntimeError: the exchange server did not answer"
    assert db.session.scalar(select(func.count()).select_from(User)) == 0

    result = runner.invoke(args=["jobs", "run", "test.failing"])
    assert result.exit_code == 1
    assert "test.failing: failed RuntimeError" in result.output

    auth.login_as("admin")
    page = client.get("/en/admin/jobs/").get_data(as_text=True)
    assert "Failing job" in page
    assert "RuntimeError: the exchange server did not answer" in page
    assert "Verify the audit log" in page
    assert "never run" in page


def test_jobs_page_is_translated(app, auth, client):
    auth.login_as("admin", locale="nl")
    page = client.get("/nl/admin/jobs/").get_data(as_text=True)
    assert "Periodieke taken" in page
    assert "nooit uitgevoerd" in page
    assert "<td>1 dag</td>" in page  # the nightly audit check, not "1440 minutes"
    assert "<td>5 minuten</td>" in page


def test_jobs_commands_list_and_run(app, runner):
    result = runner.invoke(args=["jobs", "run", "quizzes.grade_overdue_attempts"])
    assert result.exit_code == 0, result.output
    assert "quizzes.grade_overdue_attempts: succeeded 0" in result.output
    listing = runner.invoke(args=["jobs", "list"]).output
    assert "quizzes.grade_overdue_attempts" in listing
    assert "succeeded" in listing
    assert "audit.verify_chain" in listing
    assert runner.invoke(args=["jobs", "run", "no.such"]).exit_code == 1

    due = runner.invoke(args=["jobs", "run"])
    assert due.exit_code == 0, due.output
    assert "audit.verify_chain: succeeded 0 entries verified" in due.output


def test_session_and_throttle_clean_up_keeps_what_still_counts(app, create_user):
    now = datetime.now(UTC)
    user = create_user()
    alive = AuthSession(token_hash="a" * 64, user_id=user.id, created_dt=now, last_seen_dt=now)
    recently_ended = AuthSession(
        token_hash="b" * 64, user_id=user.id, created_dt=now, last_seen_dt=now,
        ended_dt=now - timedelta(days=1),
    )  # fmt: skip
    long_ended = AuthSession(
        token_hash="c" * 64, user_id=user.id, created_dt=now - timedelta(days=9),
        last_seen_dt=now - timedelta(days=9), ended_dt=now - timedelta(days=8),
    )  # fmt: skip
    abandoned = AuthSession(
        token_hash="d" * 64, user_id=user.id, created_dt=now - timedelta(days=10),
        last_seen_dt=now - timedelta(days=10),
    )  # fmt: skip
    db.session.add_all([alive, recently_ended, long_ended, abandoned])
    db.session.add_all(
        [
            LoginFailure(key="k1", failed_dt=now - timedelta(minutes=1)),
            LoginFailure(key="k2", failed_dt=now - timedelta(hours=2)),
        ]
    )
    db.session.commit()

    jobs = declared_jobs(app)
    assert run_job(jobs["auth.prune_sessions"], now=now).result == "2"
    assert run_job(jobs["auth.prune_login_failures"], now=now).result == "1"
    db.session.expire_all()
    assert set(db.session.scalars(select(AuthSession.token_hash))) == {"a" * 64, "b" * 64}
    assert list(db.session.scalars(select(LoginFailure.key))) == ["k1"]


def test_the_runner_service_runs_due_jobs_until_stopped(app, declare):
    from content.jobs.service import serve

    ran = threading.Event()
    declare(Job("test.served", "served", timedelta(hours=1), lambda now: ran.set()))
    stop = threading.Event()
    thread = threading.Thread(
        target=serve, args=(app,), kwargs={"poll_seconds": 0.05, "stop": stop}
    )
    thread.start()
    try:
        assert ran.wait(30)
    finally:
        stop.set()
        thread.join(30)
    assert not thread.is_alive()
    assert [run.state for run in _runs("test.served")] == ["succeeded"]
