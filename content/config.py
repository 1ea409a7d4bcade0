"""Layered configuration: defaults, plugin defaults, instance file, environment, mapping."""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

ENV_PREFIX = "TRACING_"
#: Variables read directly where they are needed, never copied into the app's config:
#: the instance folder (needed before the config exists) and the data and audit keys (key
#: material must not sit in a dict that debug pages and extensions can print).
NOT_SETTINGS = frozenset(
    {f"{ENV_PREFIX}INSTANCE_PATH", f"{ENV_PREFIX}DATA_KEYS", f"{ENV_PREFIX}AUDIT_KEY"}
)
INSTANCE_CONFIG_FILE = "config.toml"


class DefaultConfig:
    """Settings every site starts from; see docs/configuration.md."""

    SECRET_KEY: str | None = None
    #: Module paths of the plugins to load, in order (``content.plugin`` always comes first).
    PLUGINS: list[str] = []
    #: Load third-party plugins from the ``tracing_app.plugins`` entry-point group.
    LOAD_ENTRY_POINTS = True

    SQLALCHEMY_DATABASE_URI: str | None = None  # default: SQLite file in the instance folder
    SQLITE_BUSY_TIMEOUT_MS = 5000

    LANGUAGES = ["nl", "fr", "de", "en"]
    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Brussels"

    #: Seconds a pooled PostgreSQL connection may stay unused before it is tested again.
    DATABASE_PING_AFTER_IDLE_SECONDS = 10.0
    #: PostgreSQL connections a process keeps open (None: its gunicorn threads,
    #: ``TRACING_THREADS``, else 8); beyond them up to ``DATABASE_POOL_OVERFLOW`` more are
    #: opened for a burst and closed when given back.
    DATABASE_POOL_SIZE: int | None = None
    DATABASE_POOL_OVERFLOW = 10

    SESSION_COOKIE_NAME = "tracing_session"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    #: Minutes without a request after which a login session ends.
    IDLE_TIMEOUT_MINUTES = 30
    #: Hours after which a login session ends whatever the activity (one shift).
    SESSION_MAX_HOURS = 12
    # The cookie lives as long as the longest session (create_app sets
    # PERMANENT_SESSION_LIFETIME to SESSION_MAX_HOURS): signing it again at every request
    # would only cost time, as the session row decides what the cookie opens.
    SESSION_REFRESH_EACH_REQUEST = False
    #: Session cookies a process keeps decoded, by their exact text (content/auth/cookies.py;
    #: 0: decode every cookie).
    SESSION_COOKIES_KEPT = 4096
    #: Seconds a process answers a signed-in reader's kept (public) pages from its last full
    #: check of their session (content/auth/reader_passes.py); at most 60, 0 turns it off.
    READER_PASS_SECONDS = 30

    WTF_CSRF_TIME_LIMIT = 12 * 3600  # an agent's shift
    WTF_CSRF_SSL_STRICT = True

    #: Argon2id parameters: OWASP's first configuration (46 MiB, 1 pass, 1 lane), what RFC
    #: 9106's tailoring gives for a 2-core host at a 2,000-agent shift start (decision 43).
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST_KIB = 47104
    ARGON2_PARALLELISM = 1
    #: Password hashes one process computes at once (the others wait without using CPU).
    PASSWORD_HASHES_AT_ONCE = 1
    PASSWORD_MIN_LENGTH = 12

    #: Failed logins allowed per account (strict: guessing one password) and per client
    #: address (high: a call centre behind one NAT or proxy shares it; see TRUSTED_PROXIES)
    #: within the window.
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
    LOGIN_MAX_FAILURES_PER_ADDRESS = 500
    LOGIN_THROTTLE_WINDOW_MINUTES = 15
    #: When set (redis://…), login throttling is kept in Redis instead of the database.
    REDIS_URL: str | None = None

    SITE_NAME = "Tracing"
    #: Pages kept per process for anonymous readers (0: no cache), and how often the
    #: content version is re-read: a publication reaches visitors within this many seconds.
    PAGE_CACHE_SIZE = 512
    PAGE_CACHE_CHECK_SECONDS = 1.0
    #: Page frames (base.html's header, menus, footer) kept per process, one per language,
    #: set of roles, endpoint and section tree (0: render the frame for every page).
    PAGE_CHROME_SIZE = 256
    #: Number of reverse proxies in front of the app whose X-Forwarded-* headers to trust.
    TRUSTED_PROXIES = 0
    #: Strict-Transport-Security max-age sent on HTTPS responses (0: no header). Behind a
    #: trusted proxy, ``X-Forwarded-Proto: https`` counts as HTTPS.
    HSTS_SECONDS = 365 * 24 * 3600
    HSTS_INCLUDE_SUBDOMAINS = False
    #: Seconds a client is told to wait (Retry-After) when the database is unreachable.
    DATABASE_RETRY_AFTER_SECONDS = 5

    #: Largest media file (image or document) an editor may upload, in bytes.
    MEDIA_MAX_BYTES = 10 * 1024 * 1024
    #: Bounded work for uploads and imports (content/limits.py): bytes of one text file
    #: (content file, questions), bytes an archive (.xlsx) may unpack to, its members, and
    #: rows and columns of one sheet or table.
    UPLOAD_MAX_TEXT_BYTES = 2 * 1024 * 1024
    UPLOAD_MAX_UNPACKED_BYTES = 20 * 1024 * 1024
    UPLOAD_MAX_ARCHIVE_MEMBERS = 1000
    UPLOAD_MAX_ROWS = 10_000
    UPLOAD_MAX_COLUMNS = 200
    #: Folder of uploaded media files; None: ``<instance>/media``.
    MEDIA_DIRECTORY: str | None = None
    #: Larger request bodies are refused (413) before being read: the media limit plus room
    #: for the form around the file. Raise it with MEDIA_MAX_BYTES.
    MAX_CONTENT_LENGTH = MEDIA_MAX_BYTES + 256 * 1024

    #: Seconds between two checks of the job runner (``tracing-app jobs serve``).
    JOBS_POLL_SECONDS = 30
    #: Days the record of job runs is kept.
    JOB_RUNS_KEEP_DAYS = 30

    #: "json": every log record as one JSON line on standard error (with the request id);
    #: "text": Python's default. Tests keep pytest's capture either way.
    LOG_FORMAT = "json"
    LOG_LEVEL = "INFO"
    #: Bearer token of Prometheus scrapers at /metrics; None: /metrics answers 404.
    METRICS_TOKEN: str | None = None


def _parse_env_value(raw: str) -> Any:
    """Read an environment value as JSON when it is JSON (numbers, booleans, lists), else text."""
    try:
        return json.loads(raw)
    except ValueError:
        if raw.lower() in {"true", "false"}:
            return raw.lower() == "true"
        return raw


def environment_settings(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return the ``TRACING_*`` variables (prefix removed) and ``DATABASE_URL``."""
    environ = os.environ if environ is None else environ
    settings = {
        key.removeprefix(ENV_PREFIX): _parse_env_value(value)
        for key, value in environ.items()
        if key.startswith(ENV_PREFIX) and key not in NOT_SETTINGS
    }
    if environ.get("DATABASE_URL"):
        settings["SQLALCHEMY_DATABASE_URI"] = environ["DATABASE_URL"]
    return settings


def instance_settings(instance_path: str | Path) -> dict[str, Any]:
    """Return the settings of the instance folder's ``config.toml`` (empty when absent)."""
    path = Path(instance_path) / INSTANCE_CONFIG_FILE
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        return tomllib.load(fh)


def load_config(app: Flask, mapping: Mapping[str, Any] | None, defaults: Mapping[str, Any]) -> None:
    """Fill ``app.config``: defaults, site defaults, instance file, environment, then mapping.

    Tests pass a mapping and skip the instance file and environment, so a developer's
    local settings never leak into a test run.
    """
    app.config.from_object(DefaultConfig)
    app.config.update(defaults)
    if mapping is None:
        app.config.update(instance_settings(app.instance_path))
        app.config.update(environment_settings())
    else:
        app.config.update(mapping)


def apply_plugin_defaults(app: Flask, plugin_defaults: list[Mapping[str, Any]]) -> None:
    """Add settings that plugins declare, without overriding anything already set."""
    for defaults in plugin_defaults:
        for key, value in defaults.items():
            app.config.setdefault(key, value)


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgres://`` and ``postgresql://`` URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url
