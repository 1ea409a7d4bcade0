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
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


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
        elif not app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping"):
            _ping_after_idle(db.engine, app.config["DATABASE_PING_AFTER_IDLE_SECONDS"])


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
