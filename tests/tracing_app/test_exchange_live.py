"""The exchange API on a live HTTP server, checked by schemathesis with every check.

The in-process run (``test_exchange_api.py``) checks answers against the document; this
one adds what only a real server shows (undeclared methods, ``Allow``, OPTIONS) and every
phase (examples, coverage, fuzzing, stateful). Few examples here; the long run is
``bench/schemathesis_live.py``.
"""

from __future__ import annotations

import pytest

from content.extensions import db
from tests.fixtures.live import serve
from tests.fixtures.schemathesis_run import run_schemathesis
from tracing_app.exchange import tokens
from tracing_app.seed.scripts import install_demo_scripts


@pytest.fixture
def live_api(app, create_api_client):
    """The session's site (SQLite) served over HTTP, with the demo scripts and a token."""
    install_demo_scripts()
    db.session.commit()
    # Every scope, so that every operation is exercised past its token check.
    _client, token = create_api_client(scopes=list(tokens.SCOPES))
    saved = app.config["API_RATE_LIMIT_PER_MINUTE"]
    app.config["API_RATE_LIMIT_PER_MINUTE"] = 100_000
    try:
        with serve(app) as origin:
            yield origin, token
    finally:
        app.config["API_RATE_LIMIT_PER_MINUTE"] = saved


def test_schemathesis_with_every_check_finds_nothing_on_a_live_server(live_api):
    origin, token = live_api
    result = run_schemathesis(origin, token, max_examples=8, timeout=300)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report[-6000:]
    assert "5 selected / 5 total" in report  # the call-events webhook is the fifth
    assert "failures" not in report.split("SUMMARY")[-1].lower(), report[-3000:]
