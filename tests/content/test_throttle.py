"""Login throttling: per account, per address, shared by every worker process."""

import sys
import tomllib
from pathlib import Path

import pytest

from content.auth.throttle import RedisFailureStore
from content.extensions import db
from tests.fixtures.database import redis_problem, redis_url
from tests.fixtures.settings import TEST_CONFIG
from tests.fixtures.web import IsolatedClient, post_form

pytestmark = pytest.mark.db

WRONG = "not the password"


def _fail(client, email, times, address="10.0.0.1"):
    for _ in range(times):
        response = post_form(
            client,
            "/en/login",
            {"email": email, "password": WRONG},
            environ_base={"REMOTE_ADDR": address},
        )
    return response


def test_account_is_locked_after_too_many_failures_even_with_the_right_password(
    app, client, create_user, auth
):
    create_user(email="locked@example.org")
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    assert _fail(client, "locked@example.org", limit).status_code == 401

    response = auth.login("locked@example.org")  # right password, too late

    assert response.status_code == 429
    assert "Too many failed attempts. Try again in 15 minutes." in response.get_data(as_text=True)


def test_unknown_account_is_throttled_the_same_way(app, client):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    _fail(client, "ghost@example.org", limit)
    response = _fail(client, "ghost@example.org", 1)
    assert response.status_code == 429


def test_success_resets_the_account_count(app, client, create_user, auth):
    create_user(email="reset@example.org")
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    _fail(client, "reset@example.org", limit - 1)
    assert auth.login("reset@example.org").status_code == 302
    auth.logout()
    assert _fail(client, "reset@example.org", limit - 1).status_code == 401


def test_address_is_throttled_across_accounts(app, client, create_user, auth):
    create_user(email="victim@example.org")
    per_address = app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    for number in range(per_address):
        _fail(client, f"spray{number}@example.org", 1, address="10.9.9.9")
    response = post_form(
        client,
        "/en/login",
        {"email": "victim@example.org", "password": "correct horse battery"},
        environ_base={"REMOTE_ADDR": "10.9.9.9"},
    )
    assert response.status_code == 429
    # Another address is not affected.
    assert auth.login("victim@example.org").status_code == 302


def test_limits_hold_across_worker_processes(app, client, create_user):
    """A second app on the same database (another gunicorn worker) sees the failures."""
    from tracing_app import create_app

    create_user(email="shared@example.org")
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    _fail(client, "shared@example.org", limit)

    other_worker = create_app(
        {
            **TEST_CONFIG,
            "INSTANCE_PATH": app.config["INSTANCE_PATH"],
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SQLALCHEMY_ENGINE_OPTIONS": app.config["SQLALCHEMY_ENGINE_OPTIONS"],
        }
    )
    other_worker.test_client_class = IsolatedClient
    try:
        response = post_form(
            other_worker.test_client(),
            "/en/login",
            {"email": "shared@example.org", "password": "correct horse battery"},
        )
    finally:
        with other_worker.app_context():
            db.engine.dispose()
    assert response.status_code == 429


@pytest.mark.skipif(redis_problem() is not None, reason=f"Redis not reachable: {redis_problem()}")
def test_redis_store_counts_and_clears(app):
    from datetime import timedelta

    store = RedisFailureStore(redis_url())
    key = "account:test-redis-store"
    store.clear(key)
    try:
        for _ in range(3):
            store.record(key)
        assert store.count(key, timedelta(minutes=15)) == 3
        assert 0 <= store.oldest(key, timedelta(minutes=15)) < 5
        assert store.count(key, timedelta(microseconds=1)) == 0  # outside the window
        store.clear(key)
        assert store.count(key, timedelta(minutes=15)) == 0
    finally:
        store.clear(key)
        store.redis.close()


def test_redis_url_without_the_package_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "redis", None)  # what an install without the extra has
    with pytest.raises(RuntimeError, match=r"pip install 'tracing-app\[redis\]'"):
        RedisFailureStore("redis://127.0.0.1:6379/15")


def test_redis_is_an_optional_extra_the_tests_install():
    project = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())["project"]
    assert not [dep for dep in project["dependencies"] if dep.startswith("redis")]
    assert [dep for dep in project["optional-dependencies"]["redis"] if dep.startswith("redis")]
    assert "tracing-app[redis]" in project["optional-dependencies"]["test"]
