"""Which database errors mean "unreachable" (503 with Retry-After) and which are bugs (500).

The outage itself, on a real PostgreSQL server stopped under load, is tested in
``tests/tracing_app/test_exchange_outage.py``.
"""

import sqlite3

import psycopg
import pytest
from sqlalchemy.exc import OperationalError, ProgrammingError

from content.web import database_unavailable
from tests.fixtures.web import translated


def _wrapped(orig, error_class=OperationalError, **kwargs):
    return error_class("SELECT 1", {}, orig, **kwargs)


@pytest.mark.parametrize(
    "error",
    [
        _wrapped(psycopg.OperationalError("connection failed: Connection refused")),
        _wrapped(psycopg.errors.AdminShutdown("terminating connection")),
        _wrapped(sqlite3.OperationalError("database is locked")),
        _wrapped(psycopg.OperationalError("x"), connection_invalidated=True),
    ],
)
def test_a_lost_or_refused_connection_is_unavailable(error):
    assert database_unavailable(error)


@pytest.mark.parametrize(
    "error",
    [
        _wrapped(sqlite3.OperationalError("no such table: tickets")),
        _wrapped(psycopg.errors.UndefinedTable("relation does not exist"), ProgrammingError),
    ],
)
def test_a_bug_is_not_an_outage(error):
    assert not database_unavailable(error)


def _locked_database():
    raise _wrapped(sqlite3.OperationalError("database is locked"))


def test_a_locked_sqlite_database_answers_503_with_retry_after(app, client):
    """A request whose query fails as "database is locked" gets the outage page, translated."""
    saved = list(app.before_request_funcs[None])
    app.before_request_funcs[None] = [_locked_database, *saved]  # a throwaway hook
    try:
        page = client.get("/nl/login")
        api = client.get("/api/v1/data-dictionary", headers={"Accept-Language": "fr"})
    finally:
        app.before_request_funcs[None] = saved
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "5"
    assert translated("nl", "Temporarily unavailable") in page.get_data(as_text=True)
    assert api.status_code == 503
    assert api.headers["Retry-After"] == "5"
    assert api.json["detail"] == translated("fr", "The database cannot be reached. Retry later.")
