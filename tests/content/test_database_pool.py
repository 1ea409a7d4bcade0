"""Pooled PostgreSQL connections: tested before use only after being idle (content/db.py)."""

from __future__ import annotations

import time

import psycopg
import pytest
from sqlalchemy import text

import content.db
from content.extensions import db
from tests.fixtures.database import postgres_url

pytestmark = pytest.mark.db


@pytest.fixture
def pooled_backend(app, backend):
    """The server process behind the one connection left in the pool, and a way to kill it."""
    if backend != "postgresql":
        pytest.skip("PostgreSQL's server processes")
    db.session.remove()
    db.engine.dispose()
    with db.engine.connect() as connection:
        pid = connection.scalar(text("SELECT pg_backend_pid()"))

    def kill() -> None:
        with psycopg.connect(postgres_url(driver=False), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))

    return kill


class _Later:
    """``time`` an hour from now: every pooled connection has been idle long enough."""

    @staticmethod
    def monotonic() -> float:
        return time.monotonic() + 3600


def test_an_idle_connection_the_server_dropped_is_replaced_unseen(app, pooled_backend, monkeypatch):
    pooled_backend()
    monkeypatch.setattr(content.db, "time", _Later)
    assert app.test_client().get("/healthz").status_code == 200


def test_a_busy_connection_the_server_dropped_costs_one_503_and_the_site_recovers(
    app, pooled_backend
):
    pooled_backend()  # the connection was used a moment ago: not tested again
    client = app.test_client()
    first = client.get("/nl/")
    assert first.status_code == 503  # never an acknowledgement: the browser may try again
    assert first.headers["Retry-After"]
    assert client.get("/nl/").status_code == 200  # the pool was discarded


# --- Read-only requests end with COMMIT (content/db.py) ------------------------------------


@pytest.fixture
def one_connection(app, backend):
    """PostgreSQL with a fresh pool: the requests below share its one connection."""
    if backend != "postgresql":
        pytest.skip("psycopg's prepared statements")
    db.session.remove()
    db.engine.dispose()


def _prepared_statements() -> set[str]:
    """The statements prepared on the pooled connections (all checked out at once)."""
    pool = db.engine.pool
    connections = [db.engine.connect() for _ in range(max(1, pool.checkedin()))]
    try:
        return {
            statement
            for connection in connections
            for statement in connection.scalars(
                text("SELECT statement FROM pg_prepared_statements")
            )
        }
    finally:
        for connection in connections:
            connection.close()


def test_read_only_requests_keep_the_statements_prepared(app, one_connection, auth, client):
    # psycopg prepares a statement after its fifth run and forgets them all at a ROLLBACK:
    # read-only requests that ended in one had every statement planned again and again.
    auth.login_as("agent")
    for _ in range(12):  # the pool may hand out two connections in turn
        assert client.get("/en/calls/").status_code == 200
    prepared = _prepared_statements()
    assert any("auth_sessions" in statement for statement in prepared), prepared


def test_a_request_that_wrote_without_committing_is_still_rolled_back(app, one_connection):
    from sqlalchemy import update

    from content.auth.models import User
    from content.users import operations as users

    user = users.create_user("kept@example.org", "a long passphrase 42", display_name="Kept")
    db.session.commit()
    user_id = user.id
    db.session.remove()

    def core_write():
        db.session.execute(update(User).where(User.id == user_id).values(display_name="Core"))

    def orm_change():
        db.session.get(User, user_id).display_name = "Unflushed"

    for change in (core_write, orm_change):
        with app.test_request_context("/"):
            change()
            app.do_teardown_request()  # the request ends without an error
            db.session.remove()
    assert db.session.get(User, user_id).display_name == "Kept"


# --- One kept connection per serving thread (content/db.py) -----------------------------


def _hold_connections_at_once(count: int) -> None:
    """``count`` threads each check out a connection and run a query, all at the same time."""
    import threading

    together = threading.Barrier(count)
    engine = db.engine

    def hold() -> None:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            together.wait(timeout=30)

    threads = [threading.Thread(target=hold) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_every_busy_thread_keeps_its_connection(app, one_connection):
    # SQLAlchemy's default pool kept 5: with gunicorn's 8 threads busy, every request past
    # the fifth opened a new server connection and closed it when done, losing its
    # prepared statements, exactly when the host was busiest.
    from sqlalchemy import event

    opened = []

    def count(*_args) -> None:
        opened.append(1)

    event.listen(db.engine, "connect", count)
    try:
        _hold_connections_at_once(8)
        assert len(opened) == 8
        _hold_connections_at_once(8)
        assert len(opened) == 8, "the second round opened connections again"
    finally:
        event.remove(db.engine, "connect", count)


def test_the_pool_follows_the_servers_threads(monkeypatch):
    from content.db import _pool_options

    monkeypatch.delenv("TRACING_THREADS", raising=False)
    assert _pool_options({"DATABASE_POOL_SIZE": None, "DATABASE_POOL_OVERFLOW": 10}) == {
        "pool_size": 8,
        "max_overflow": 10,
        "pool_use_lifo": True,
    }
    monkeypatch.setenv("TRACING_THREADS", "12")
    assert (
        _pool_options({"DATABASE_POOL_SIZE": None, "DATABASE_POOL_OVERFLOW": 4})["pool_size"] == 12
    )
    assert _pool_options({"DATABASE_POOL_SIZE": 3, "DATABASE_POOL_OVERFLOW": 4})["pool_size"] == 3
