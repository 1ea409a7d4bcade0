"""Fixtures of the end-to-end tests: the site on a live server, driven by Debian's Chromium.

The site is built once per session on its own SQLite file, migrated with the real
migrations and served by werkzeug from a daemon thread. One browser serves the whole
session; every test gets a fresh context (cookies, storage) of its own.

These fixtures never use the ``app`` fixture of ``tests/conftest.py``: that one empties
the tables after each test, while a live server and its accounts must outlive tests.
"""

from __future__ import annotations

import contextlib
import functools
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.support import NullTranslations, Translations
from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

import content
from content.extensions import db
from content.users import operations
from tests.fixtures.settings import TEST_CONFIG
from tracing_app import create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIRECTORY = REPOSITORY_ROOT / "test-output" / "e2e"
#: Fail fast: every page of the site answers in milliseconds on the live server.
TIMEOUT_MS = 10_000

PASSWORD = "correct horse battery"

# TEST_CONFIG keeps SESSION_COOKIE_SECURE at its production value (True): Chromium counts
# http://127.0.0.1 as a secure context and keeps Secure cookies from it (the login test
# checks the flag).


@dataclass(frozen=True)
class Account:
    """An account created on the live server, with what a person types to sign in."""

    email: str
    display_name: str
    locale: str
    roles: tuple[str, ...]
    password: str = PASSWORD


#: An agent whose language is Dutch: signing in takes her to /nl/.
DUTCH_AGENT = Account("anke.agent@example.org", "Anke Agent", "nl", ("agent",))
#: Every role at once, so the dashboard shows every panel and menu entry (for axe).
EVERY_ROLE = Account(
    "robin.roles@example.org",
    "Robin Roles",
    "en",
    ("admin", "editor", "reviewer", "trainer", "supervisor", "specialist", "agent"),
)
#: A Dutch editor: writes pages and submits them for review (no publishing).
DUTCH_EDITOR = Account("emma.editor@example.org", "Emma Editor", "nl", ("editor",))
#: A Dutch reviewer: publishes what editors submit.
DUTCH_REVIEWER = Account("rik.reviewer@example.org", "Rik Reviewer", "nl", ("reviewer",))
#: An agent whose language is French: works through the demo call scripts on /fr/.
FRENCH_AGENT = Account("fanny.agent@example.org", "Fanny Agent", "fr", ("agent",))
ACCOUNTS = [DUTCH_AGENT, EVERY_ROLE, DUTCH_EDITOR, DUTCH_REVIEWER, FRENCH_AGENT]


@functools.cache
def catalog(language: str) -> NullTranslations:
    """Return the compiled gettext catalog of a language (a NullTranslations when missing)."""
    return Translations.load(str(content.TRANSLATIONS_DIRECTORY), [language])


class QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's request handler without the access log line per request (errors still log)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Log nothing for a served request."""


@dataclass(frozen=True)
class LiveServer:
    """The site served over HTTP: its app and its origin (``http://127.0.0.1:<port>``)."""

    app: Flask
    origin: str

    def url(self, path: str) -> str:
        """Return the absolute URL of a path on the site."""
        return self.origin + path


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    """The site on a migrated SQLite file with ``ACCOUNTS`` and the language roots (``/nl/``…).

    The demo call scripts are published (``install_demo_scripts``). Served from a daemon thread.
    """
    from flask_migrate import upgrade

    from content.items.operations import ensure_language_roots
    from tracing_app.protection.audit_key import generate_audit_key_file
    from tracing_app.protection.audit_key import key_file_path as audit_key_path
    from tracing_app.protection.keyfile import generate_key_file, key_file_path
    from tracing_app.seed.scripts import install_demo_scripts

    instance = tmp_path_factory.mktemp("e2e-instance")
    # The keys `tracing-app init` writes: personal data and audited writes need them.
    generate_key_file(key_file_path(instance))
    generate_audit_key_file(audit_key_path(instance))
    config = {
        **TEST_CONFIG,
        "INSTANCE_PATH": str(instance),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'e2e.db'}",
    }
    app = create_app(config)
    with app.app_context():
        upgrade(revision="heads")
        for account in ACCOUNTS:
            operations.create_user(
                account.email,
                account.password,
                display_name=account.display_name,
                roles=account.roles,
                locale=account.locale,
            )
        ensure_language_roots()
        install_demo_scripts()  # the three demo call scripts, published
        db.session.commit()

    with serve(app) as server:
        yield server


@contextlib.contextmanager
def serve(app: Flask) -> Iterator[LiveServer]:
    """Serve an app over HTTP on a free loopback port from a daemon thread while in the block."""
    server: BaseWSGIServer = make_server(
        "127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler
    )
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, origin=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def playwright_driver():
    """Playwright's driver process, started once for the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver):
    """Debian's headless Chromium, launched once for the session (skip when not installed)."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} not found: install the Debian package `chromium` "
            "(sudo apt-get install chromium) to run the end-to-end tests"
        )
    browser = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser, live_server):
    """Return a callable that opens a browser context on the site; all are closed afterwards."""
    contexts = []

    def factory(**options):
        context = browser.new_context(base_url=live_server.origin, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield factory
    for context in contexts:
        context.close()


@pytest.fixture
def context(new_context):
    """A fresh browser context on the site: no cookies, no storage."""
    return new_context()


@pytest.fixture
def page(context):
    """A page in the test's fresh browser context."""
    return context.new_page()


@pytest.fixture
def screenshot(request) -> Callable:
    """Return a callable saving a full-page screenshot as test-output/e2e/<test name>.png.

    A test taking several passes a step name: ``<test name>-<step>.png``.
    """

    def save(page, step: str = "") -> Path:
        SCREENSHOT_DIRECTORY.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "-", f"{request.node.name}-{step}").strip("-")
        path = SCREENSHOT_DIRECTORY / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


def sign_in(page, account: Account, language: str = "en") -> None:
    """Sign in through the login form of a language, as a person would: labels and button."""
    texts = catalog(language)
    page.goto(f"/{language}/login")
    page.get_by_label(texts.gettext("E-mail address"), exact=True).fill(account.email)
    page.get_by_label(texts.gettext("Password"), exact=True).fill(account.password)
    page.get_by_role("button", name=texts.gettext("Sign in"), exact=True).click()


@pytest.fixture(scope="session")
def audit_site(tmp_path_factory) -> Iterator[LiveServer]:
    """The demo site with a few rows more (``tests/e2e/site_walk.py``), for the page audits."""
    from flask_migrate import upgrade

    from tests.e2e.site_walk import seed_audit_site

    instance = tmp_path_factory.mktemp("audit-instance")
    app = create_app(
        {
            **TEST_CONFIG,
            "INSTANCE_PATH": str(instance),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'audit.db'}",
        }
    )
    with app.app_context():
        upgrade(revision="heads")
        seed_audit_site()
    with serve(app) as server:
        yield server
