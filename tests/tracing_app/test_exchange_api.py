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
