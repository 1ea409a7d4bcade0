"""Shared by the PostgreSQL benchmarks: a migrated site in a throwaway schema.

Not a benchmark itself. ``TRACING_BENCH_POSTGRES_URL`` names the server (default the
local test database); the schema is dropped afterwards, also after an error.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
from flask import Flask
from flask_migrate import upgrade

from content.extensions import db
from tracing_app import create_app
from tracing_app.protection.audit_key import generate_audit_key_file
from tracing_app.protection.audit_key import key_file_path as audit_key_path
from tracing_app.protection.keyfile import generate_key_file, key_file_path

POSTGRES_URL = os.environ.get(
    "TRACING_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


@dataclass(frozen=True)
class Site:
    """A migrated site: the app (its context pushed), the server URL and the schema."""

    app: Flask
    url: str
    schema: str


@contextlib.contextmanager
def postgres_site(prefix: str, **config) -> Iterator[Site]:
    """Yield a site migrated to the heads in a new schema, with a data key file and an audit key.

    :param prefix: start of the schema's name (``bench_<prefix>_<random>``).
    :param config: settings added to the bench defaults.
    """
    schema = f"bench_{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        with tempfile.TemporaryDirectory() as instance:
            generate_key_file(key_file_path(instance))
            generate_audit_key_file(audit_key_path(instance))
            app = create_app(
                {
                    "TESTING": True,
                    "SECRET_KEY": "bench",
                    "INSTANCE_PATH": instance,
                    "SQLALCHEMY_DATABASE_URI": POSTGRES_URL.replace(
                        "postgresql://", "postgresql+psycopg://", 1
                    ),
                    "SQLALCHEMY_ENGINE_OPTIONS": {
                        "connect_args": {"options": f"-csearch_path={schema}"}
                    },
                    **config,
                }
            )
            with app.app_context():
                upgrade(revision="heads")
                try:
                    yield Site(app, POSTGRES_URL, schema)
                finally:
                    db.engine.dispose()
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
