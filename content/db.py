"""Database set-up: the SQLite default and its pragmas, PostgreSQL through DATABASE_URL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import event

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
        options.setdefault("pool_pre_ping", True)
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
