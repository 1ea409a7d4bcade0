"""A database outage under load: 503 with Retry-After, no acknowledged write lost, recovery.

The site runs on a live HTTP server against a private PostgreSQL server of its own
(``tests/fixtures/private_postgres.py``), never the shared one: writers queue call
orders through the API and a signed-in agent reloads pages while the server is stopped
(``pg_ctl -m immediate``: every connection drops, like a crash) and started again.
"""

from __future__ import annotations

import itertools
import re
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest
import requests
from sqlalchemy import select

from content.extensions import db
from content.users.operations import create_user
from tests.fixtures.live import serve
from tests.fixtures.private_postgres import private_postgres, private_postgres_problem
from tests.fixtures.settings import TEST_CONFIG
from tests.fixtures.users import PASSWORD
from tests.fixtures.web import translated
from tracing_app import create_app
from tracing_app.calls.models import Campaign
from tracing_app.exchange import tokens
from tracing_app.exchange.models import ApiOrderBatch
from tracing_app.protection.audit_key import generate_audit_key_file
from tracing_app.protection.audit_key import key_file_path as audit_key_file_path
from tracing_app.protection.keyfile import generate_key_file, key_file_path

pytestmark = pytest.mark.skipif(
    private_postgres_problem() is not None,
    reason=f"no private PostgreSQL for the outage test: {private_postgres_problem()}",
)

AGENT = "outage.agent@example.org"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Load:
    """What the writers and the reader saw, phase by phase."""

    phase: str = "up"
    stop: threading.Event = field(default_factory=threading.Event)
    seen: list[tuple[str, str, int, str | None, str]] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, kind: str, started_in: str, response: requests.Response) -> None:
        """Record an answer under its phase (``transition`` when one began meanwhile)."""
        phase = started_in if started_in == self.phase else "transition"
        with self.lock:
            self.seen.append(
                (phase, kind, response.status_code, response.headers.get("Retry-After"),
                 response.headers.get("Content-Type", ""))
            )  # fmt: skip

    def statuses(self, phase: str, kind: str) -> Counter:
        return Counter(s for p, k, s, _r, _c in self.seen if p == phase and k == kind)


@pytest.fixture(scope="module")
def site_on_private_postgres():
    """The site, migrated, on a private PostgreSQL server: (app, server, origin, token)."""
    from flask_migrate import upgrade

    with private_postgres() as server, tempfile.TemporaryDirectory() as instance:
        generate_key_file(key_file_path(instance))
        generate_audit_key_file(audit_key_file_path(instance))
        app = create_app(
            {
                **TEST_CONFIG,
                "INSTANCE_PATH": instance,
                "SQLALCHEMY_DATABASE_URI": server.url(),
                "API_RATE_LIMIT_PER_MINUTE": 100_000,
                # requests keeps Secure cookies for HTTPS only; this server speaks HTTP.
                "SESSION_COOKIE_SECURE": False,
            }
        )
        with app.app_context():
            upgrade(revision="heads")
            create_user(AGENT, PASSWORD, display_name="Outage Agent", roles=["agent"], locale="en")
            db.session.add(Campaign(name="Outage"))
            _client, token = tokens.create_client("institute", [tokens.ORDERS_WRITE], actor=None)
            db.session.commit()
        try:
            with serve(app) as origin:
                yield app, server, origin, token
        finally:
            with app.app_context():
                db.engine.dispose()


def _sign_in(origin: str) -> requests.Session:
    browser = requests.Session()
    token = CSRF.search(browser.get(f"{origin}/en/login", timeout=10).text).group(1)
    response = browser.post(
        f"{origin}/en/login",
        data={"csrf_token": token, "email": AGENT, "password": PASSWORD},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text
    return browser


def _writer(origin: str, token: str, load: Load, numbers) -> None:
    with requests.Session() as http:
        while not load.stop.is_set():
            number = next(numbers)
            batch_id = f"outage-{number}"
            order = {"external_id": f"O-{number}", "last_name": "Peeters",
                     "phone": f"0470{100000 + number}", "language": "nl"}  # fmt: skip
            started_in = load.phase
            response = http.post(
                f"{origin}/api/v1/call-orders",
                json={"batch_id": batch_id, "campaign": "Outage", "orders": [order]},
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            )
            load.note("api", started_in, response)
            if response.status_code == 201:
                with load.lock:
                    load.acknowledged.append(batch_id)
            time.sleep(0.01)


def _reader(origin: str, browser: requests.Session, load: Load) -> None:
    while not load.stop.is_set():
        started_in = load.phase
        response = browser.get(f"{origin}/en/dashboard", allow_redirects=False, timeout=30)
        load.note("page", started_in, response)
        time.sleep(0.02)


def _wait_until_healthy(origin: str, seconds: float = 30) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if requests.get(f"{origin}/healthz", timeout=10).status_code == 200:
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"the site did not recover within {seconds} s")


def test_a_database_outage_answers_503_and_loses_no_acknowledged_write(
    site_on_private_postgres,
):
    app, server, origin, token = site_on_private_postgres
    browser = _sign_in(origin)
    load = Load()
    numbers = itertools.count(1)
    writers = [
        threading.Thread(target=_writer, args=(origin, token, load, numbers)) for _ in range(3)
    ]
    threads = [*writers, threading.Thread(target=_reader, args=(origin, browser, load))]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.5)
        load.phase = "down"
        server.stop("immediate")
        time.sleep(2.5)
        load.phase = "restarting"
        server.start()
        recovery_seconds = _wait_until_healthy(origin)
        load.phase = "back"
        time.sleep(1.5)
    finally:
        load.stop.set()
        for thread in threads:
            thread.join(timeout=60)

    # Up: everything worked. Down: 503 with Retry-After on pages and API, never a 500.
    assert load.statuses("up", "api")[201] > 0
    assert set(load.statuses("up", "api")) == {201}
    assert set(load.statuses("up", "page")) == {200}
    assert set(load.statuses("down", "api")) == {503}, load.statuses("down", "api")
    assert set(load.statuses("down", "page")) == {503}, load.statuses("down", "page")
    down = [(kind, retry, ctype) for phase, kind, _s, retry, ctype in load.seen if phase == "down"]
    assert all(retry == "5" for _kind, retry, _ctype in down)
    assert all(ctype == "application/problem+json" for kind, _r, ctype in down if kind == "api")
    assert all(ctype.startswith("text/html") for kind, _r, ctype in down if kind == "page")
    assert 500 not in {status for _p, _k, status, _r, _c in load.seen}
    # Back: the same app process works again (the pool pinged and reconnected).
    assert load.statuses("back", "api")[201] > 0
    assert set(load.statuses("back", "api")) == {201}
    assert set(load.statuses("back", "page")) == {200}, "the agent's session survived"
    assert recovery_seconds < 10
    # Every batch the API acknowledged is in the database.
    with app.app_context():
        stored = set(db.session.scalars(select(ApiOrderBatch.batch_id)))
    assert set(load.acknowledged) <= stored
    assert len(load.acknowledged) > 10


def test_the_outage_page_is_translated_and_accessible(site_on_private_postgres):
    _app, server, origin, _token = site_on_private_postgres
    browser = _sign_in(origin)
    server.stop("immediate")
    try:
        page = browser.get(f"{origin}/fr/dashboard", timeout=30)
        api = requests.get(
            f"{origin}/api/v1/data-dictionary",
            headers={"Authorization": "Bearer tpi_x", "Accept-Language": "de"},
            timeout=30,
        )
    finally:
        server.start()
        _wait_until_healthy(origin)
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "5"
    html = page.text
    assert '<html lang="fr"' in html
    assert f"<h1>{translated('fr', 'Temporarily unavailable')}</h1>" in html
    explanation = (
        "The site cannot reach its database at the moment. Please try again in a few seconds. "
        "If you were saving something, check afterwards that it was saved."
    )
    assert translated("fr", explanation) in html
    assert translated("fr", explanation) != explanation
    assert api.status_code == 503
    assert api.json()["detail"] == translated("de", "The database cannot be reached. Retry later.")
    assert api.json()["status"] == 503
