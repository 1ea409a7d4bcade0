"""Shared fixtures: one app per database backend, a client, a runner and an auth helper.

Tests marked ``db`` run on SQLite and on PostgreSQL (when reachable); the others run
on SQLite only. The app is built once per backend, never per test; rows are deleted
after each test.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import uuid

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

from content.extensions import db
from tests.fixtures.database import postgres_problem, postgres_url
from tests.fixtures.settings import TEST_CONFIG
from tracing_app import create_app
from tracing_app.audit.checkpoints import checkpoint_path, forget_checkpoint_time
from tracing_app.audit.operations import maintenance as audit_maintenance

# Hypothesis caches constants of our source (while pytest collects) and Unicode tables under
# ./.hypothesis/, even with database=None: send them to a temporary folder for the run.
_HYPOTHESIS_HOME = tempfile.mkdtemp(prefix="hypothesis-")
set_hypothesis_home_dir(_HYPOTHESIS_HOME)
atexit.register(shutil.rmtree, _HYPOTHESIS_HOME, ignore_errors=True)

pytest_plugins = [
    "tests.fixtures.users",
    "tests.fixtures.web",
    "tests.fixtures.content",
    "tests.fixtures.exchange",
    "tests.fixtures.tickets",
    "tests.fixtures.calls",
    "tests.fixtures.lms_bank",
    "tests.fixtures.lms_quizzes",
    "tests.fixtures.lms_courses",
    "tests.fixtures.lms_certification",
    "tests.fixtures.queries",
]

BACKENDS = ["sqlite", "postgresql"]


def pytest_report_header(config):
    """Say up front whether the PostgreSQL half of the database tests will run."""
    problem = postgres_problem()
    if problem:
        return f"PostgreSQL: NOT reachable ({problem}); 'db' tests run on SQLite only"
    url = postgres_url(hide_password=True)
    return f"PostgreSQL: {url}; 'db' tests run on SQLite and PostgreSQL"


def pytest_terminal_summary(terminalreporter):
    """Repeat the PostgreSQL skip at the end, where nobody can miss it."""
    problem = postgres_problem()
    if problem:
        terminalreporter.write_line(
            f"SKIPPED the PostgreSQL run of the database tests: {problem}", yellow=True, bold=True
        )


def pytest_generate_tests(metafunc):
    """Run ``db``-marked tests once per backend, the rest on SQLite."""
    if "backend" in metafunc.fixturenames:
        marked = metafunc.definition.get_closest_marker("db") is not None
        metafunc.parametrize(
            "backend", BACKENDS if marked else ["sqlite"], indirect=True, scope="session"
        )


@pytest.fixture(scope="session")
def backend(request):
    """The database backend of this run of the test."""
    if request.param == "postgresql":
        problem = postgres_problem()
        if problem:
            pytest.skip(f"PostgreSQL not reachable: {problem}")
    return request.param


@pytest.fixture(scope="session")
def app(backend, tmp_path_factory):
    """The site on a fresh database of the backend, migrated with the real migrations."""
    from flask_migrate import upgrade

    from tests.fixtures.web import IsolatedClient

    instance = tmp_path_factory.mktemp(f"instance-{backend}")
    config = {**TEST_CONFIG, "INSTANCE_PATH": str(instance)}
    schema = None
    if backend == "postgresql":
        schema = f"test_{uuid.uuid4().hex[:12]}"
        config["SQLALCHEMY_DATABASE_URI"] = postgres_url()
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "connect_args": {"options": f"-csearch_path={schema}"}
        }
        _run_admin_sql(f'CREATE SCHEMA "{schema}"')
    app = create_app(config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        upgrade(revision="heads")
    yield app
    with app.app_context():
        db.engine.dispose()
    if schema:
        _run_admin_sql(f'DROP SCHEMA "{schema}" CASCADE')


def _run_admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(postgres_url(driver=False), autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture(autouse=True)
def _app_context_and_cleanup(request):
    """Give tests that use the app an app context, and empty every table afterwards."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        yield
        db.session.rollback()
        # audit_log is append-only (database triggers): maintenance lets this cleanup empty it.
        with db.engine.begin() as conn, audit_maintenance(conn):
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
        # The audit checkpoints describe the log just emptied: the next test starts afresh.
        checkpoint_path().unlink(missing_ok=True)
        forget_checkpoint_time(app)
        db.session.remove()
        app.extensions["tracing.page_cache"].clear()
        if "lms.kept_progress" in app.extensions:  # the users' ids come again (SQLite)
            app.extensions["lms.kept_progress"].clear()


@pytest.fixture
def client(app):
    """A test client of the site."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A runner for the ``tracing-app`` commands of the site."""
    return app.test_cli_runner()


@pytest.fixture
def db_session(app):
    """The database session of the test's app context."""
    return db.session
