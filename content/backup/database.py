"""Copying the database out and back: SQLite's online backup API, pg_dump and pg_restore."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.dump"


class BackupError(Exception):
    """The backup or restore cannot be done; nothing was changed."""


def dump_file_name(engine: Engine) -> str:
    """Return the database file's name inside a backup for this engine's dialect."""
    return SQLITE_FILE if engine.dialect.name == "sqlite" else POSTGRES_FILE


def is_empty(engine: Engine) -> bool:
    """Return whether the database has no tables (in the schemas of the search path)."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            query = (
                "SELECT count(*) FROM sqlite_master "
                "WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        else:
            query = (
                "SELECT count(*) FROM information_schema.tables "
                "WHERE table_schema = ANY(current_schemas(false))"
            )
        return conn.execute(text(query)).scalar() == 0


def dump(engine: Engine, target: Path) -> None:
    """Write a consistent copy of the database to ``target`` while the site runs."""
    if engine.dialect.name == "sqlite":
        # The online backup API copies every page under one read transaction: a consistent
        # snapshot, while writers go on in the WAL.
        source = sqlite3.connect(engine.url.database)
        destination = sqlite3.connect(target)
        try:
            with destination:
                source.backup(destination)
        finally:
            destination.close()
            source.close()
        return
    with engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar()
    # pg_dump takes one snapshot (repeatable read) of everything it dumps.
    _run_pg(engine, "pg_dump", "--format=custom", f"--schema={schema}", f"--file={target}")


def load(engine: Engine, source: Path) -> None:
    """Replace the database's content with a backup (the caller checked it may)."""
    engine.dispose()  # no pooled connection may keep the old file or tables open
    if engine.dialect.name == "sqlite":
        origin = sqlite3.connect(source)
        destination = sqlite3.connect(engine.url.database)
        try:
            with destination:
                origin.backup(destination)
        finally:
            destination.close()
            origin.close()
        return
    # --clean --if-exists: the dump creates its schema, which may exist (public) already.
    _run_pg(engine, "pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
            "--exit-on-error", "--single-transaction", str(source))  # fmt: skip


def _run_pg(engine: Engine, program: str, *args: str) -> None:
    url = make_url(engine.url)
    # The password goes through the environment, never the command line (ps shows it).
    env = {**os.environ, "PGPASSWORD": url.password or ""}
    conninfo = url.set(drivername="postgresql", password=None).render_as_string()
    result = subprocess.run(  # noqa: S603 - fixed program, arguments from configuration
        [_pg_program(engine, program), f"--dbname={conninfo}", *args],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise BackupError(f"{program} failed: {result.stderr.strip()}")


def _pg_program(engine: Engine, program: str) -> str:
    """Return the pg_dump/pg_restore matching the server's major version (Debian's layout)."""
    with engine.connect() as conn:
        major = conn.execute(text("SHOW server_version_num")).scalar()[:-4]
    matching = Path(f"/usr/lib/postgresql/{major}/bin/{program}")
    if matching.exists():
        return str(matching)
    found = shutil.which(program)
    if found is None:
        raise BackupError(f"{program} not found: install postgresql-client-{major}")
    return found
