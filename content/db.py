"""Database set-up: the SQLite default and its pragmas, PostgreSQL through DATABASE_URL."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError

from content.config import normalise_database_url
from content.extensions import db


def configure_database(app: Flask) -> None:
    """Choose the database URL and engine options before Flask-SQLAlchemy is bound."""
    url = app.config.get("SQLALCHEMY_DATABASE_URI")
    if not url:
        os.makedirs(app.instance_path, exist_ok=True)
        url = "sqlite:///" + os.path.join(app.instance_path, "tracing.db")
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(url)
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if url.startswith("sqlite"):
        # sqlite3's own wait for a locked database, the busy timeout, in seconds.
        options.setdefault("connect_args", {})["timeout"] = (
            app.config["SQLITE_BUSY_TIMEOUT_MS"] / 1000
        )
    else:
        options.update(_pool_options(app.config) | options)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _pool_options(config) -> dict:
    """One kept connection per thread that serves requests, the last one given back first.

    SQLAlchemy's default keeps 5: with gunicorn's 8 threads busy, every connection past
    the fifth was opened for one request and closed when given back, at the cost of a
    new server process and every prepared statement, just when the host is busiest. Last
    in, first out keeps the connections that are in use warm (their prepared statements)
    and lets the others idle until a burst needs them.
    """
    size = config["DATABASE_POOL_SIZE"] or int(os.environ.get("TRACING_THREADS", 8))
    return {
        "pool_size": size,
        "max_overflow": config["DATABASE_POOL_OVERFLOW"],
        "pool_use_lifo": True,
    }


def _sqlite_pragmas(busy_timeout_ms: int):
    def on_connect(dbapi_connection, connection_record) -> None:
        cursor = dbapi_connection.cursor()
        # WAL lets readers go on while one writer writes; the busy timeout makes writers
        # queue instead of failing at once; SQLite checks foreign keys only when asked.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    return on_connect


def init_database(app: Flask) -> None:
    """Bind Flask-SQLAlchemy and install the SQLite pragmas on its engine."""
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(
                db.engine, "connect", _sqlite_pragmas(app.config["SQLITE_BUSY_TIMEOUT_MS"])
            )
        else:
            if not app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping"):
                _ping_after_idle(db.engine, app.config["DATABASE_PING_AFTER_IDLE_SECONDS"])
            _note_writes(db.engine)
            app.teardown_request(_commit_read_only_transaction)


#: ``Connection.info`` key: the transaction ran a statement other than a plain SELECT.
_WROTE = "tracing.wrote"


def _note_writes(engine) -> None:
    """Mark a connection's transaction once it runs anything but a SELECT (PostgreSQL)."""

    @event.listens_for(engine, "begin")
    def _fresh(connection) -> None:
        connection.info.pop(_WROTE, None)

    @event.listens_for(engine, "before_cursor_execute")
    def _note(connection, _cursor, statement, *_args) -> None:
        if statement.lstrip()[:6].upper() != "SELECT":
            connection.info[_WROTE] = True


def _commit_read_only_transaction(exc: BaseException | None) -> None:
    """End a request's transaction that only read with COMMIT, not ROLLBACK (PostgreSQL).

    psycopg forgets a connection's prepared statements whenever it rolls a transaction
    back (``DEALLOCATE ALL``): its statements are prepared after five runs, so one
    read-only request ending in the usual ROLLBACK (Flask-SQLAlchemy's teardown) made every
    statement of the following requests be planned again (0.2-0.8 ms each for the agents'
    queries). A COMMIT of a transaction that wrote nothing changes nothing in the database;
    it is sent on the driver's connection, so for the ORM nothing was committed (no commit
    events), and the session then closes as usual (its ROLLBACK finds no transaction). A
    request that failed, holds unflushed changes or ran anything but a SELECT (a write, a
    lock, a CTE) is rolled back as before.
    """
    if exc is not None:
        return
    session = db.session()
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return
    connection = session.connection()
    if not connection.info.get(_WROTE):
        connection.connection.dbapi_connection.commit()


def _ping_after_idle(engine, idle_seconds: float) -> None:
    """Test a pooled connection before use when it has been idle for ``idle_seconds``.

    The connections that die unseen are the idle ones (a server restart or fail-over
    between two uses, a firewall's idle timeout): those are tested with a round trip and
    replaced when dead. A connection in steady use is not, which saves a round trip per
    request (``pool_pre_ping`` would test every checkout). If the server goes away while
    connections are busy, the request using one fails as a connection error (503, never
    an acknowledgement) and SQLAlchemy discards the whole pool, so the next requests
    connect afresh.
    """

    @event.listens_for(engine, "checkin")
    def _idle_since(_dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # a dead connection: the pool connects a new one
            raise DisconnectionError() from error


@contextmanager
def savepoint() -> Iterator[None]:
    """A SAVEPOINT of the session that rolls back alone, inside a real transaction.

    Python's sqlite3 (before 3.12's ``autocommit``) opens a transaction only before
    INSERT/UPDATE/DELETE: a SAVEPOINT issued as the transaction's first statement runs in
    autocommit mode, and its RELEASE commits for real, so a later rollback of the request
    would keep the rows written inside it. On SQLite the transaction is opened first
    (deferred ``BEGIN``: the write lock is taken by the savepoint's first write, waiting up
    to the busy timeout, as any write does).
    """
    session = db.session
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.driver_connection
        if not raw.in_transaction:
            raw.execute("BEGIN")
    with session.begin_nested():
        yield
