"""The deployment harness: PostgreSQL schema, instance folder, hosts and nginx, per module.

Skips (saying why) when nginx, PostgreSQL or Redis is missing; ``./bin/test`` installs
Debian's nginx when it runs as root.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.deploy.cluster import Cluster, Host, free_port, wait_until
from tests.fixtures.database import postgres_problem, postgres_url, redis_problem, redis_url
from tests.fixtures.nginx import NGINX, nginx_config, self_signed_certificate
from tests.fixtures.settings import TEST_CONFIG

HOSTS = 3
METRICS_TOKEN = "harness-scraper-token"


def _skip_reason() -> str | None:
    if not os.path.exists(NGINX):
        return f"{NGINX} missing (apt-get install nginx-light; ./bin/test does it as root)"
    if postgres_problem():
        return f"PostgreSQL not reachable: {postgres_problem()}"
    if redis_problem():
        return f"Redis not reachable: {redis_problem()}"
    return None


def _admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(postgres_url(driver=False), autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The shared state of the hosts: a migrated PostgreSQL schema and an instance folder.

    Yields the app the tests use to seed data: one more process on the same database.
    """
    reason = _skip_reason()
    if reason:
        pytest.skip(f"SKIPPED the several-hosts harness: {reason}")
    from flask_migrate import upgrade

    from content.extensions import db
    from tracing_app import create_app
    from tracing_app.protection.audit_key import generate_audit_key_file
    from tracing_app.protection.audit_key import key_file_path as audit_key_file_path
    from tracing_app.protection.keyfile import generate_key_file, key_file_path

    folder = tmp_path_factory.mktemp("deploy")
    instance = folder / "instance"
    instance.mkdir()
    schema = f"deploy_{uuid.uuid4().hex[:10]}"
    _admin_sql(f'CREATE SCHEMA "{schema}"')
    engine_options = {"connect_args": {"options": f"-csearch_path={schema}"}}
    (instance / "config.toml").write_text(f'SECRET_KEY = "{uuid.uuid4().hex}"\n')
    generate_key_file(key_file_path(instance))
    generate_audit_key_file(audit_key_file_path(instance))
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "DATABASE_URL": postgres_url(),
        "TRACING_INSTANCE_PATH": str(instance),
        "TRACING_SQLALCHEMY_ENGINE_OPTIONS": json.dumps(engine_options),
        "TRACING_REDIS_URL": redis_url(),
        "TRACING_TRUSTED_PROXIES": "1",
        "TRACING_ARGON2_TIME_COST": "1",
        "TRACING_ARGON2_MEMORY_COST_KIB": "1024",
        "TRACING_ARGON2_PARALLELISM": "1",
        "TRACING_LOAD_ENTRY_POINTS": "false",
        "WEB_CONCURRENCY": "2",
        "TRACING_THREADS": "4",
        "TRACING_GRACEFUL_TIMEOUT": "5",
        "TRACING_METRICS_TOKEN": METRICS_TOKEN,
        # The hosts' agents sign in with their password: the second factor has its own tests.
        "TRACING_SECOND_FACTOR_REQUIRED_ROLES": "[]",
    }
    config = {
        **TEST_CONFIG,
        "TESTING": False,
        "INSTANCE_PATH": str(instance),
        "SQLALCHEMY_DATABASE_URI": postgres_url(),
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        "REDIS_URL": redis_url(),
        "LOAD_ENTRY_POINTS": False,
    }
    app = create_app(config)
    with app.app_context():
        upgrade(revision="heads")
        from content.items.operations import ensure_language_roots

        ensure_language_roots()
        db.session.commit()
    app.harness = {"folder": folder, "env": env}
    yield app
    with app.app_context():
        db.engine.dispose()
    _admin_sql(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(scope="module")
def cluster(site):
    """Nginx (deploy/nginx) in front of three gunicorn hosts (deploy/gunicorn.conf.py)."""
    folder, env = site.harness["folder"], site.harness["env"]
    hosts = [
        Host(
            number,
            free_port(),
            {**env, "PROMETHEUS_MULTIPROC_DIR": str(folder / f"metrics-{number}")},
            folder / f"host-{number}.log",
        )
        for number in range(HOSTS)
    ]
    cert, key = self_signed_certificate(folder)
    https_port = free_port()
    config = nginx_config(folder, [h.port for h in hosts], https_port, free_port(), cert, key)
    result = subprocess.run([NGINX, "-t", "-c", str(config)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    found = Cluster(hosts, https_port, cert, folder)
    try:
        for host in hosts:
            host.start()
        with (folder / "nginx.log").open("ab") as log:
            found.nginx = subprocess.Popen([NGINX, "-c", str(config)], stderr=log)
        with ThreadPoolExecutor(HOSTS) as pool:
            list(pool.map(lambda h: wait_until(h.healthy, 60, f"host {h.number} healthy"), hosts))
        yield found
    finally:
        found.close()
        if found.nginx is not None:
            found.nginx.terminate()
            found.nginx.wait(10)
        for host in hosts:
            host.stop()
