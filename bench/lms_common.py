"""Shared by the LMS benchmarks: a site on SQLite or PostgreSQL with the demo training.

Not a benchmark itself. The PostgreSQL site lives in a schema of its own that is dropped
afterwards (``TRACING_BENCH_POSTGRES_URL``, default the local test database).
"""

from __future__ import annotations

import contextlib
import os
import statistics
import tempfile
import uuid
from collections.abc import Iterator
from typing import Any

from flask import Flask
from flask_migrate import upgrade

from content.extensions import db
from lms.seed.answers import right_response
from lms.seed.install import install_demo_training
from tracing_app import create_app

POSTGRES_URL = os.environ.get(
    "TRACING_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
#: Cheap password hashing: the benchmarks measure exams, login has bench/login_latency.py.
BASE_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "bench-lms",
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_COST_KIB": 1024,
    "ARGON2_PARALLELISM": 1,
    "SESSION_COOKIE_SECURE": False,  # plain http://127.0.0.1 clients
}


def postgres_reachable() -> bool:
    """Whether the benchmark's PostgreSQL answers."""
    try:
        import psycopg

        with psycopg.connect(POSTGRES_URL, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception:
        return False
    return True


def _admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(sql)


def backend_config(backend: str, instance: str) -> tuple[dict[str, Any], str | None]:
    """Return the app config of a backend and the PostgreSQL schema it created (or None)."""
    config = {**BASE_CONFIG, "INSTANCE_PATH": instance}
    if backend == "sqlite":
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance}/bench.db"
        return config, None
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    _admin_sql(f'CREATE SCHEMA "{schema}"')
    config["SQLALCHEMY_DATABASE_URI"] = POSTGRES_URL.replace(
        "postgresql://", "postgresql+psycopg://", 1
    )
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"options": f"-csearch_path={schema}"}}
    return config, schema


@contextlib.contextmanager
def demo_site(backend: str) -> Iterator[tuple[Flask, dict[str, Any]]]:
    """A migrated site with the demo training installed; yields (app, config)."""
    with tempfile.TemporaryDirectory() as instance:
        config, schema = backend_config(backend, instance)
        app = create_app(config)
        try:
            with app.app_context():
                upgrade(revision="heads")
                install_demo_training()
                db.session.commit()
            yield app, config
        finally:
            with app.app_context():
                db.engine.dispose()
            if schema:
                _admin_sql(f'DROP SCHEMA "{schema}" CASCADE')


def form_fields(shown: list[dict[str, Any]], questions: dict[int, Any]) -> list[tuple[str, str]]:
    """Return the attempt form's fields answering every slot right (as a browser posts them).

    :param shown: :func:`lms.quizzes.attempts.operations.public_questions` of the attempt.
    :param questions: the graded question of each slot (server side, for the answer key).
    """
    fields = []
    for entry in shown:
        slot, kind = entry["slot"], entry["view"]["type"]
        response = right_response(questions[slot])
        if kind == "multiple_choice":
            fields += [(f"q{slot}", value) for value in response]
        elif kind == "matching":
            fields += [(f"q{slot}-{prompt}", target) for prompt, target in response.items()]
        elif kind == "true_false":
            fields.append((f"q{slot}", "true" if response else "false"))
        else:
            fields.append((f"q{slot}", str(response)))
    return fields


def percentile(samples: list[float], share: float) -> float:
    """Return the ``share`` quantile (0.5: median, 0.95: p95) of ``samples``."""
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[round(share * 100) - 1]


def ms(seconds: float) -> float:
    """Return seconds as milliseconds, rounded for the results file."""
    return round(seconds * 1000, 2)
