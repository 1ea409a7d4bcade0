"""The exchange API as the institute's systems see it: OpenAPI document, data dictionary.

schemathesis generates requests from the OpenAPI document and checks every answer
against it, in process (no server), with a token holding every scope.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from content.extensions import db
from tests.fixtures.exchange import bearer
from tests.fixtures.web import translated
from tracing_app.seed.scripts import install_demo_scripts


@pytest.fixture
def published_scripts(app):
    """The three demo scripts, published."""
    install_demo_scripts()
    db.session.commit()


def test_the_api_keeps_to_its_openapi_document(app, create_api_client, published_scripts):
    # schemathesis's own pytest plugin does not run on this pytest; Hypothesis drives it here.
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    _client, token = create_api_client()
    app.config["API_RATE_LIMIT_PER_MINUTE"], limit = 10_000, app.config["API_RATE_LIMIT_PER_MINUTE"]
    checked = []
    try:
        for result in schema.get_all_operations():
            operation = result.ok()

            @given(case=operation.as_strategy())
            @settings(max_examples=25, deadline=None, database=None,
                      suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
            def check(case):
                # Generated orders are well-formed JSON but rarely valid people (national
                # number checksums, existing campaigns): a 422 then is right, not a rejection
                # of valid data. Every other check (status documented, body schema…) runs.
                case.call_and_validate(
                    headers=bearer(token), excluded_checks=[positive_data_acceptance]
                )

            check()
            checked.append(operation.label)
    finally:
        app.config["API_RATE_LIMIT_PER_MINUTE"] = limit
    assert "GET /api/v1/data-dictionary" in checked


def test_the_openapi_document_is_public_and_version_3_1(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"] == "3.1.0"
    assert "/api/v1/data-dictionary" in document["paths"]
    assert document["components"]["securitySchemes"]["token"]["scheme"] == "bearer"


def test_every_api_endpoint_is_described(app):
    document = app.test_client().get("/api/v1/openapi.json").json
    described = {
        (path, method.upper()) for path, item in document["paths"].items() for method in item
    }
    routed = {
        (rule.rule.replace("<", "{").replace(">", "}"), method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi_document"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routed == described


def test_the_data_dictionary_lists_fields_with_labels_in_four_languages(
    client, create_api_client, published_scripts
):
    _client, token = create_api_client()
    scripts = client.get("/api/v1/data-dictionary", headers=bearer(token)).json["scripts"]
    assert {s["form_id"] for s in scripts} == {
        "outbound_case",
        "outbound_contact",
        "inbound_callback",
    }
    case = next(s for s in scripts if s["form_id"] == "outbound_case")
    fields = {f["name"]: f for f in case["fields"]}
    assert case["state"] == "published"
    assert all(len(f["labels"]) == 4 for f in fields.values() if f["type"] != "calculate")
    selects = [f for f in fields.values() if f["type"] == "select_one"]
    assert selects
    assert all(f["allowed_values"] for f in selects)
    assert all(set(v["labels"]) == {"nl", "fr", "de", "en"} for v in selects[0]["allowed_values"])
    # Notes are sentences for the agent, not data: they are not fields.
    assert all(f["type"] != "note" for f in fields.values())


def test_the_data_dictionary_page_for_supervisors(client, auth, published_scripts):
    auth.login_as("supervisor", locale="fr")
    page = client.get("/fr/exchange/data-dictionary").get_data(as_text=True)
    assert "outbound_case" in page
    assert "<code>" in page
    # Types and identifier kinds in the reader's language, not the JSON's words.
    assert translated("fr", "one of the allowed values") in page
    assert translated("fr", "national register number") in page
    assert "string (one value)" not in page


def test_the_data_dictionary_from_the_command_line(runner, published_scripts):
    import json

    result = runner.invoke(args=["exchange", "dictionary"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.output)["scripts"]) == 3


def test_an_unsupported_method_is_405_naming_the_allowed_ones(client, create_api_client):
    _client, token = create_api_client()
    traced = client.open("/api/v1/data-dictionary", method="TRACE", headers=bearer(token))
    # GET here would otherwise reach the CMS's page route, which also matches /api/v1/….
    got = client.get("/api/v1/call-orders", headers=bearer(token))
    options = client.options("/api/v1/call-orders")
    assert traced.status_code == 405
    assert traced.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert traced.mimetype == "application/problem+json"
    assert got.status_code == 405
    assert got.headers["Allow"] == "OPTIONS, POST"
    assert got.json["status"] == 405
    assert options.headers["Allow"] == "OPTIONS, POST"
    unknown = client.post("/api/v1/no-such-call")
    assert unknown.status_code == 405
    assert unknown.headers["Allow"] == ""  # no method at all, not the page route's GET


def test_a_page_answers_405_with_allow_too(client):
    response = client.delete("/en/login")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}
    assert translated("en", "This page cannot be used this way.") in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "parameter"),
    [("limit=0", "limit"), ("limit=5001", "limit"), ("limit=-3", "limit"),
     ("format=xml", "format"), ("cursor=%C3%84", "cursor"), ("limit=1&limit=2", "limit")],
)  # fmt: skip
def test_query_parameters_outside_the_document_are_refused(
    client, create_api_client, query, parameter
):
    _client, token = create_api_client()
    response = client.get(f"/api/v1/exports/tickets?{query}", headers=bearer(token))
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert [error["parameter"] for error in response.json["errors"]] == [parameter]


def test_the_refusal_is_in_the_clients_language(client, create_api_client):
    _client, token = create_api_client()
    response = client.get(
        "/api/v1/exports/tickets?limit=0", headers={**bearer(token), "Accept-Language": "fr"}
    )
    message = response.json["errors"][0]["message"]
    assert message == translated(
        "fr", "The value breaks the rule %(rule)s of the API document.", rule="minimum 1"
    )


@pytest.mark.parametrize(
    "raw",
    ["99999999999999999999.1", "1.99999999999999999999", "9223372036854775808.0", "1.2.3",
     "01.2", "+1.2", " 1.2", "1_0.2", "\u0661.2", ""],
)  # fmt: skip
def test_a_cursor_this_site_did_not_give_out_is_a_400_problem(client, create_api_client, raw):
    import base64

    cursor = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=") or "AAAA"
    _client, token = create_api_client()
    response = client.get(f"/api/v1/exports/tickets?cursor={cursor}", headers=bearer(token))
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
