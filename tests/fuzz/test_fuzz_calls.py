"""Fuzzing call-order imports (CSV, JSON; library, web page, API): a result or a named error."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from content.extensions import db
from tests.fixtures.exchange import bearer
from tests.fixtures.web import csrf_token
from tests.fuzz import TRIED
from tests.fuzz.strategies import ENCODINGS, FUZZ, csv_orders, encoded, json_values
from tracing_app import identifiers
from tracing_app.calls import importer


@pytest.fixture
def campaign(make_campaign):
    """One campaign for every example of a test (the fixture runs once per test)."""
    return make_campaign(name="Fuzz")


def _json_bytes(value, encoding: str) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode(encoding, errors="replace")


def _check_problems(problems) -> None:
    assert problems
    for problem in problems:
        assert isinstance(problem.row, int)
        assert problem.row >= 0
        assert isinstance(problem.field, str)
        assert str(problem.message).strip()


def _read_and_validate(data: bytes, filename: str, campaign) -> None:
    try:
        records = importer.read_records(data, filename)
    except importer.ImportRejected as rejected:
        _check_problems(rejected.problems)
        return
    valid, problems = importer.validate(records, campaign, today=identifiers.local_today())
    if problems:
        _check_problems(problems)
    assert len(valid) + len({p.row for p in problems}) == len(records)


@FUZZ
@given(data=st.one_of(csv_orders(), encoded()))
def test_csv_files_give_records_or_named_problems(app, campaign, data):
    TRIED["calls-csv"] += 1
    with app.test_request_context("/en/"):
        _read_and_validate(data, "orders.csv", campaign)
    db.session.rollback()


@FUZZ
@given(
    data=st.one_of(
        st.builds(_json_bytes, json_values(), ENCODINGS),
        encoded(),
        st.integers(1, 50_000).map(lambda depth: b"[" * depth + b"]" * depth),
    )
)
def test_json_files_give_records_or_named_problems(app, campaign, data):
    TRIED["calls-json"] += 1
    with app.test_request_context("/en/"):
        _read_and_validate(data, "orders.json", campaign)
    db.session.rollback()


@pytest.fixture
def supervisor(auth):
    """The client is signed in as a supervisor (once for every example)."""
    auth.login_as("supervisor")


@pytest.fixture
def api_token(app, create_api_client, monkeypatch):
    """A token with the orders scope (once for every example), not rate-limited."""
    monkeypatch.setitem(app.config, "API_RATE_LIMIT_PER_MINUTE", 10**9)
    return create_api_client()[1]


@FUZZ
@given(data=st.one_of(csv_orders(), encoded()), name=st.sampled_from(["o.csv", "o.json", "o"]))
def test_the_import_page_never_fails(client, supervisor, campaign, data, name):
    TRIED["calls-web"] += 1
    response = client.post(
        f"/en/calls/campaigns/{campaign.id}/import",
        data={"csrf_token": csrf_token(client), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code in (200, 400)
    db.session.rollback()


@st.composite
def api_bodies(draw) -> bytes:
    """Batches around real orders, or any JSON, or any bytes."""
    orders = draw(json_values())
    batch = {"batch_id": draw(st.text(max_size=5)), "campaign": "Fuzz", "orders": orders}
    value = draw(st.sampled_from([batch, orders, {"orders": orders}]))
    return draw(st.one_of(st.builds(_json_bytes, st.just(value), ENCODINGS), encoded()))


@FUZZ
@given(body=api_bodies())
def test_the_call_orders_api_never_fails(client, api_token, campaign, body):
    TRIED["calls-api"] += 1
    response = client.post(
        "/api/v1/call-orders",
        data=body,
        headers={**bearer(api_token), "Content-Type": "application/json"},
    )
    assert response.status_code in (200, 201, 422), response.get_data(as_text=True)[:300]
    if response.status_code == 422:
        assert response.mimetype == "application/problem+json"
        assert response.json["errors"]
    db.session.rollback()
