"""Login throttling: per account, per address, shared by every worker process."""

import sys
import threading
import time
import tomllib
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from content.auth import passwords, throttle
from content.auth.throttle import RedisFailureStore
from content.config import DefaultConfig
from content.extensions import db
from tests.fixtures.database import redis_problem, redis_url
from tests.fixtures.settings import TEST_CONFIG
from tests.fixtures.users import PASSWORD
from tests.fixtures.web import IsolatedClient, csrf_token, post_form

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


def _guess_in_parallel(app, email, guesses, address):
    """Send ``guesses`` wrong passwords at once, each from its own browser; return statuses."""
    clients = [app.test_client() for _ in range(guesses)]
    tokens = [csrf_token(client) for client in clients]
    start = threading.Barrier(guesses)

    def guess(index):
        start.wait()
        return (
            clients[index]
            .post(
                "/en/login",
                data={"csrf_token": tokens[index], "email": email, "password": WRONG},
                environ_base={"REMOTE_ADDR": address},
            )
            .status_code
        )

    with ThreadPoolExecutor(max_workers=guesses) as pool:
        return list(pool.map(guess, range(guesses)))


@pytest.fixture
def counted_password_checks(monkeypatch):
    """Count password checks, each made slow enough that parallel guesses overlap."""
    checks = []
    real_verify = passwords.verify_password

    def slow_verify(password_hash, password):
        checks.append(1)
        time.sleep(0.05)
        return real_verify(password_hash, password)

    monkeypatch.setattr(passwords, "verify_password", slow_verify)
    return checks


@pytest.fixture(params=["database", "redis"])
def failure_store(request, app):
    """The app's login-failure store: its database (default), or Redis."""
    if request.param == "database":
        yield app.extensions["tracing.login_failures"]
        return
    if redis_problem() is not None:
        pytest.skip(f"Redis not reachable at {redis_url()}: {redis_problem()}")
    store = RedisFailureStore(redis_url())
    saved = app.extensions["tracing.login_failures"]
    app.extensions["tracing.login_failures"] = store
    try:
        yield store
    finally:
        app.extensions["tracing.login_failures"] = saved
        store.redis.close()


def test_parallel_wrong_guesses_get_no_more_password_checks_than_the_limit(
    app, create_user, counted_password_checks, failure_store
):
    email = f"burst-{uuid.uuid4().hex[:8]}@example.org"
    address = f"10.7.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    create_user(email=email)
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    try:
        statuses = _guess_in_parallel(app, email, 16, address)
    finally:
        for key in (throttle._key("account", email), throttle._key("address", address)):
            failure_store.clear(key)

    assert len(counted_password_checks) <= limit
    assert statuses.count(401) == len(counted_password_checks)
    assert statuses.count(429) == 16 - statuses.count(401)


def test_a_call_centre_behind_one_address_is_not_locked_out_by_typos(
    app, client, create_user, auth
):
    """Thirty agents mistype once from the centre's one public address; the next signs in."""
    saved = app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = DefaultConfig.LOGIN_MAX_FAILURES_PER_ADDRESS
    try:
        for number in range(30):
            assert _fail(
                client, f"agent{number}@example.org", 1, address="10.0.0.1"
            ).status_code == (401)
        create_user(email="next.agent@example.org")
        response = post_form(
            client,
            "/en/login",
            {"email": "next.agent@example.org", "password": PASSWORD},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},
        )
        assert response.status_code == 302
        auth.logout()
        # The account limit stays strict on that same address.
        response = _fail(client, "agent0@example.org", DefaultConfig.LOGIN_MAX_FAILURES_PER_ACCOUNT)
    finally:
        app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = saved
    assert response.status_code == 429


def test_the_address_limit_is_far_above_the_account_limit():
    assert DefaultConfig.LOGIN_MAX_FAILURES_PER_ADDRESS >= (
        20 * DefaultConfig.LOGIN_MAX_FAILURES_PER_ACCOUNT
    )
