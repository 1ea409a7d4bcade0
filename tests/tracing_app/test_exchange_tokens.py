"""API clients: tokens stored hashed, scopes, revocation, rate limit, audit; admin screen; CLI."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, text

from content.extensions import db
from tests.fixtures.exchange import bearer
from tests.fixtures.web import post_form
from tracing_app.audit.models import AuditEntry
from tracing_app.exchange import tokens
from tracing_app.exchange.models import ApiClient

DICTIONARY = "/api/v1/data-dictionary"


def _audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


@pytest.mark.db
def test_the_token_is_stored_only_as_a_hash(create_api_client):
    client, token = create_api_client()
    raw_rows = db.session.execute(text("SELECT * FROM api_clients")).all()
    assert token not in repr(raw_rows)
    assert client.token_hash == tokens.hash_token(token)
    assert token.startswith(client.token_prefix)


def test_a_call_without_token_gets_401_with_a_problem_document(client):
    response = client.get(DICTIONARY)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json["status"] == 401


@pytest.mark.parametrize("header", ["Bearer tpi_not-a-token", "Basic dXNlcjpwYXNz", "Bearer"])
def test_wrong_tokens_get_401(client, header):
    assert client.get(DICTIONARY, headers={"Authorization": header}).status_code == 401


def test_a_token_without_the_scope_gets_403(client, create_api_client):
    _client, token = create_api_client(scopes=[tokens.ORDERS_WRITE])
    response = client.get(DICTIONARY, headers=bearer(token))
    assert response.status_code == 403
    assert "data:read" in response.json["detail"]


@pytest.mark.db
def test_a_revoked_token_stops_working_at_once(client, create_api_client):
    api_client, token = create_api_client()
    assert client.get(DICTIONARY, headers=bearer(token)).status_code == 200
    tokens.revoke_client(api_client, actor=None)
    db.session.commit()
    assert client.get(DICTIONARY, headers=bearer(token)).status_code == 401


@pytest.mark.db
def test_every_call_is_audited_and_the_last_use_noted(client, create_api_client):
    api_client, token = create_api_client()
    assert api_client.last_used_dt is None
    client.get(DICTIONARY, headers=bearer(token))
    db.session.expire_all()
    assert db.session.get(ApiClient, api_client.id).last_used_dt is not None
    assert _audit_actions() == ["api_client.create", "api.call"]
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "api.call")).one()
    assert '"status":200' in entry.details
    assert entry.subject_id == str(api_client.id)


def test_clients_over_the_rate_limit_get_429(app, client, create_api_client, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT_PER_MINUTE", 3)
    _client, token = create_api_client()
    statuses = [client.get(DICTIONARY, headers=bearer(token)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get(DICTIONARY, headers=bearer(token))
    assert 1 <= int(response.headers["Retry-After"]) <= 61
    # Another client has its own budget.
    _other, other_token = create_api_client()
    assert client.get(DICTIONARY, headers=bearer(other_token)).status_code == 200


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_unknown_api_urls_answer_json(client, method):
    response = client.open("/api/v1/no-such-thing", method=method, json={})
    # A POST matches the shape of a page URL, which only takes GET: 405, as a problem too.
    assert response.status_code == (404 if method == "GET" else 405)
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == response.status_code


@pytest.mark.parametrize(
    ("name", "scopes", "field"),
    [("", ["data:read"], "name"), ("x", [], "scopes"), ("x", ["all"], "scopes")],
)
def test_clients_need_a_name_and_known_scopes(app, name, scopes, field):
    with pytest.raises(tokens.TokenError) as caught:
        tokens.create_client(name, scopes, actor=None)
    assert caught.value.field == field


def test_an_administrator_creates_a_client_and_sees_its_token_once(client, auth):
    auth.login_as("admin")
    response = post_form(
        client, "/en/exchange/clients", {"name": "Sciensano", "scopes": ["data:read"]}
    )
    assert response.status_code == 201
    page = response.get_data(as_text=True)
    created = db.session.scalars(select(ApiClient)).one()
    token = page.split('id="new-token"')[1].split('value="')[1].split('"')[0]
    assert tokens.hash_token(token) == created.token_hash
    # The list shows the prefix, never the token again.
    again = client.get("/en/exchange/clients").get_data(as_text=True)
    assert token not in again
    assert created.token_prefix in again


def test_a_refused_client_form_keeps_the_input_and_says_why(client, auth, create_api_client):
    create_api_client(name="Sciensano")
    auth.login_as("admin")
    response = post_form(
        client, "/nl/exchange/clients", {"name": "Sciensano", "scopes": ["orders:write"]}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'value="Sciensano"' in page
    assert re.search(r'<input checked[^>]*value="orders:write"', page)
    assert not re.search(r'<input checked[^>]*value="data:read"', page)
    assert 'class="error"' in page


def test_an_administrator_revokes_a_client(client, auth, create_api_client):
    api_client, token = create_api_client()
    auth.login_as("admin")
    response = post_form(client, f"/en/exchange/clients/{api_client.id}/revoke", {})
    assert response.status_code == 302
    assert client.get(DICTIONARY, headers=bearer(token)).status_code == 401


def test_tokens_from_the_command_line(runner):
    result = runner.invoke(args=["exchange", "tokens", "create", "lab", "--scopes", "data:read"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert tokens.authenticate(token) is not None
    listed = runner.invoke(args=["exchange", "tokens", "list"])
    assert "lab" in listed.output
    assert token not in listed.output
    assert runner.invoke(args=["exchange", "tokens", "revoke", "lab"]).exit_code == 0
    assert tokens.authenticate(token) is None
    bad = runner.invoke(args=["exchange", "tokens", "create", "x", "--scopes", "root"])
    assert bad.exit_code != 0
    assert "root" in bad.output


def test_counting_calls_keeps_only_the_window(app, client, create_api_client):
    from datetime import timedelta

    from content.auth.models import LoginFailure, utcnow

    api_client, token = create_api_client()
    key = f"api-client:{api_client.id}"
    long_ago = utcnow() - timedelta(hours=2)
    db.session.add_all([LoginFailure(key=key, failed_dt=long_ago) for _ in range(5)])
    db.session.commit()
    client.get(DICTIONARY, headers=bearer(token))
    stamps = db.session.scalars(select(LoginFailure.failed_dt).where(LoginFailure.key == key))
    assert [stamp > long_ago for stamp in stamps] == [True]
