"""Metrics for scrapers and JSON log lines with a request id, without personal data."""

from __future__ import annotations

import io
import json
import logging
import re
from datetime import time

import pytest

from content.observability.logs import json_handler
from tests.fixtures.tickets import SAMPLE_PERSON
from tests.fixtures.web import post_form
from tests.tracing_app.test_tickets_at_rest import SEARCHED, _seed

TOKEN = "scraper-token-for-tests"


@pytest.fixture
def metrics_token(app):
    """Configure a scraper token for the test."""
    app.config["METRICS_TOKEN"] = TOKEN
    yield TOKEN
    app.config["METRICS_TOKEN"] = None


@pytest.fixture
def json_log():
    """Every log record of the test as the JSON lines production writes; returns the stream."""
    stream = io.StringIO()
    handler = json_handler(stream)
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(previous)


def _value(text: str, name: str, **labels) -> float:
    """Return a sample's value from the exposition text (0 when absent)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    pattern = (
        rf"^{re.escape(name)}{{?{re.escape(wanted)}}}? (\S+)$" if wanted else rf"^{name} (\S+)$"
    )
    found = re.search(pattern, text, flags=re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def test_metrics_need_the_scrapers_token(client, metrics_token):
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    answer = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"


def test_metrics_are_off_without_a_token(client):
    assert client.get("/metrics").status_code == 404


@pytest.mark.db
def test_metrics_count_requests_logins_claims_and_read_queues_and_jobs(
    app, client, auth, metrics_token, make_campaign, queue_order, runner
):
    def scrape() -> str:
        answer = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        return answer.get_data(as_text=True)

    before = scrape()
    client.get("/healthz")
    campaign = make_campaign(calling_start=time(0), calling_end=time(0))  # all day
    queue_order(campaign)
    queue_order(campaign)
    auth.login_as("agent")
    runner.invoke(args=["jobs", "run", "quizzes.grade_overdue_attempts"])
    assert post_form(client, "/en/calls/next", {}).status_code == 302
    after = scrape()

    healthz = {"endpoint": "core.healthz", "method": "GET", "status": "200"}
    assert _value(after, "tracing_http_requests_total", **healthz) == (
        _value(before, "tracing_http_requests_total", **healthz) + 1
    )
    assert _value(after, "tracing_logins_total", outcome="success") == (
        _value(before, "tracing_logins_total", outcome="success") + 1
    )
    assert (
        _value(after, "tracing_call_claims_total")
        == _value(before, "tracing_call_claims_total") + 1
    )
    assert _value(after, "tracing_call_orders", state="queued") == 1
    assert _value(after, "tracing_call_orders", state="claimed") == 1
    assert _value(after, "tracing_job_runs", job="quizzes.grade_overdue_attempts",
                  state="succeeded") == 1  # fmt: skip
    assert _value(after, "tracing_job_last_success_timestamp_seconds",
                  job="quizzes.grade_overdue_attempts") > 0  # fmt: skip
    assert "tracing_http_request_duration_seconds_bucket" in after
    assert 'tracing_db_pool_connections{state="checked_out"}' in after


def test_log_lines_are_json_with_the_request_id(client, json_log):
    answer = client.get("/healthz")
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    access = [line for line in lines if line["logger"] == "tracing.access"]
    assert access[-1]["request_id"] == answer.headers["X-Request-Id"]
    assert access[-1]["endpoint"] == "core.healthz"
    assert access[-1]["status"] == 200
    assert "path" not in access[-1]


def test_a_request_id_from_an_untrusted_client_is_not_taken(client):
    answer = client.get("/healthz", headers={"X-Request-Id": "forged-request-id-1"})
    assert answer.headers["X-Request-Id"] != "forged-request-id-1"
    assert re.fullmatch(r"[0-9a-f]{32}", answer.headers["X-Request-Id"])


@pytest.mark.db
def test_personal_data_never_reaches_the_logs(
    app, client, auth, make_ticket, create_user, json_log
):
    """The canary of tests/tracing_app/test_tickets_at_rest.py, on the log lines."""
    _seed(make_ticket, create_user)
    auth.login_as("agent")
    for kind, value in (
        ("national_number", SAMPLE_PERSON["national_number"]),
        ("phone", SAMPLE_PERSON["phone"]),
        ("email", SAMPLE_PERSON["email"]),
    ):
        response = post_form(
            client,
            "/en/tickets/lookup",
            {"kind": kind, "value": value, "reason": "inbound callback"},
        )
        assert response.status_code < 500  # found, or refused beside the field
    # A failing request logs its exception: type and stack, never the message.
    try:
        raise ValueError(f"bad value {SAMPLE_PERSON['last_name']}")
    except ValueError:
        logging.getLogger("tracing.test").exception("Something failed")

    text = json_log.getvalue()
    assert "ValueError" in text
    assert "tracing.access" in text
    lowered = text.lower()
    assert [value for value in SEARCHED if value.lower() in lowered] == []
