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
