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
