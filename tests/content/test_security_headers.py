"""Security headers and pages without inline script."""

import re

import pytest


@pytest.fixture
def login_page(client):
    return client.get("/en/login")


def test_content_security_policy_forbids_inline_script_and_framing(login_page):
    csp = login_page.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"


def test_other_security_headers(login_page):
    assert login_page.headers["X-Content-Type-Options"] == "nosniff"
    assert login_page.headers["Referrer-Policy"] == "same-origin"
    assert login_page.headers["X-Frame-Options"] == "DENY"
    assert login_page.headers["Cache-Control"] == "no-store"


def test_pages_carry_no_inline_script_or_style(client, auth):
    auth.login_as("admin")
    for url in ["/en/login", "/en/dashboard", "/en/account", "/en/admin/users/", "/en/nope"]:
        text = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), url
        assert " style=" not in text, url
        assert not re.search(r" on[a-z]+=", text), url


def test_assets_are_served_by_the_site(client):
    text = client.get("/en/login").get_data(as_text=True)
    refs = re.findall(r'(?:href|src)="([^"]+)"', text)
    assert "/static/css/site.css" in refs
    for ref in refs:
        assert ref.startswith(("/", "#")), ref
        assert not ref.startswith("//"), ref


def test_https_responses_ask_browsers_to_keep_to_https(client):
    response = client.get("/en/login", base_url="https://tracing.example.org")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_plain_http_gets_no_strict_transport_security(client):
    assert "Strict-Transport-Security" not in client.get("/en/login").headers
    # Without a trusted proxy the client's own X-Forwarded-Proto is not believed.
    forged = client.get("/en/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in forged.headers


def test_strict_transport_security_is_configurable(app, client):
    saved = dict(app.config)
    app.config.update(HSTS_SECONDS=600, HSTS_INCLUDE_SUBDOMAINS=True)
    try:
        longer = client.get("/en/login", base_url="https://tracing.example.org")
        app.config["HSTS_SECONDS"] = 0
        off = client.get("/en/login", base_url="https://tracing.example.org")
    finally:
        app.config.update(saved)
    assert longer.headers["Strict-Transport-Security"] == "max-age=600; includeSubDomains"
    assert "Strict-Transport-Security" not in off.headers


@pytest.fixture(scope="module")
def proxied_app(tmp_path_factory):
    """The site behind one trusted reverse proxy (TLS ends at the proxy)."""
    from content.extensions import db
    from tests.fixtures.settings import TEST_CONFIG
    from tracing_app import create_app

    instance = tmp_path_factory.mktemp("instance-proxied")
    app = create_app({**TEST_CONFIG, "INSTANCE_PATH": str(instance), "TRUSTED_PROXIES": 1})
    yield app
    with app.app_context():
        db.engine.dispose()


def test_behind_a_trusted_proxy_forwarded_https_counts(proxied_app):
    client = proxied_app.test_client()
    https = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    http = client.get("/healthz", headers={"X-Forwarded-Proto": "http"})
    assert https.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in http.headers
