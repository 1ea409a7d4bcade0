"""The certificate gate: the workspace refuses agents without a valid certificate, kindly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_login import login_user
from werkzeug.exceptions import HTTPException

from content.extensions import db
from content.gates import GateRefusal, access_denied, denied_response, require_gate
from content.items.page_cache import page_cache
from lms.certification import gate, operations, require_certificate
from tests.fixtures.lms_certification import MODULE, expire

WORKSPACE = "/fr/workspace/forms/"


def test_without_a_certification_granting_it_the_workspace_stays_open(
    client, auth, create_certification
):
    create_certification(grants_gate=None)  # a certification that opens nothing
    auth.login_as("agent")
    assert client.get(WORKSPACE).status_code == 200


@pytest.mark.db
def test_an_agent_without_certificate_gets_the_training_page_then_the_workspace(
    client, auth, create_certification, certify
):
    certification = create_certification()
    agent = auth.login_as("agent", locale="fr")
    response = client.get(WORKSPACE)
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "Traçage: les bases" in page  # the training, named in the page's language
    assert f'href="/fr/learn/m/{MODULE}"' in page  # the link to the module
    assert 'lang="fr"' in page

    certify(agent, certification)
    assert client.get(WORKSPACE).status_code == 200


def test_the_link_leads_to_the_exam_once_the_modules_are_done(
    client, auth, create_certification, learning
):
    certification = create_certification()
    agent = auth.login_as("agent")
    learning.complete(agent)
    db.session.commit()
    page = client.get("/en/workspace/forms/").get_data(as_text=True)
    assert f'href="/en/quizzes/q/{certification.exam_quiz_group}"' in page
    assert "Contact tracing basics" in page


@pytest.mark.db
def test_expiry_closes_the_workspace_again(client, auth, create_certification, certify):
    certification = create_certification()
    agent = auth.login_as("agent")
    certificate = certify(agent, certification)
    assert client.get(WORKSPACE).status_code == 200
    expire(certificate)
    response = client.get("/en/workspace/forms/")
    assert response.status_code == 403
    assert "has expired" in response.get_data(as_text=True)


def test_revocation_closes_and_an_exemption_opens_the_workspace(
    client, auth, create_user, create_certification, certify
):
    certification = create_certification()
    admin = create_user(roles=["admin"])
    agent = auth.login_as("agent")
    certificate = certify(agent, certification)
    operations.revoke(certificate, actor=admin, reason="Fraud")
    db.session.commit()
    response = client.get("/en/workspace/forms/")
    assert response.status_code == 403
    assert "was revoked" in response.get_data(as_text=True)
    operations.grant_exemption(agent, certification, actor=admin, reason="Court decision")
    db.session.commit()
    assert client.get("/en/workspace/forms/").status_code == 200


def test_any_certification_granting_the_gate_opens_it(client, auth, create_certification, certify):
    create_certification()
    second = create_certification(titles={"en": "Refresher"}, module_groups=["b" * 36])
    agent = auth.login_as("agent")
    assert client.get("/en/workspace/forms/").status_code == 403
    certify(agent, second)
    assert client.get("/en/workspace/forms/").status_code == 200


def test_plain_string_reasons_still_render(app, create_user):
    with app.test_request_context("/en/x"):
        response = denied_response(["No valid badge.", GateRefusal("Go", "/en/y", "There")])
        page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "No valid badge." in page
    assert '<a href="/en/y">There</a>' in page
    assert " ".join(["a", GateRefusal("b", "/c")]) == "a b"


def test_require_certificate_guards_a_plugin_view(app, create_user, create_certification, certify):
    certification = create_certification(grants_gate=None)
    user = create_user()

    @require_certificate(certification.code)
    def view():
        return "inside"

    @require_certificate("no-such-certification")
    def typo():
        return "inside"

    with app.test_request_context("/en/x"):
        login_user(user)
        with pytest.raises(HTTPException) as refused:
            view()
        assert refused.value.response.status_code == 403
        assert "Contact tracing basics" in refused.value.response.get_data(as_text=True)
    certify(user, certification)
    with app.test_request_context("/en/x"):
        login_user(user)
        assert view() == "inside"
        with pytest.raises(HTTPException):
            typo()


def test_require_gate_asks_the_plugins(app, create_user, create_certification, certify):
    certification = create_certification(grants_gate="reports")
    user = create_user()

    @require_gate("reports")
    def view():
        return "inside"

    with app.test_request_context("/en/x"):
        login_user(user)
        assert [str(reason) for reason in access_denied(user, "reports")]
        with pytest.raises(HTTPException) as refused:
            view()
        assert refused.value.response.status_code == 403
        assert access_denied(user, "another-gate") == []
    certify(user, certification)
    with app.test_request_context("/en/x"):
        login_user(user)
        assert view() == "inside"


@pytest.fixture
def version_read_hourly(app, monkeypatch):
    """Return ``reread()``; the content version is read again only after a call to it.

    As at the first request more than ``PAGE_CACHE_CHECK_SECONDS`` after the last read.
    """
    pages = page_cache()
    monkeypatch.setattr(pages, "check_seconds", 3600)

    def reread():
        pages._checked = float("-inf")

    return reread


@pytest.mark.db
def test_a_revocation_closes_the_kept_pass_at_the_next_version_read(
    client, auth, create_user, create_certification, certify, count_queries, version_read_hourly
):
    certification = create_certification()
    admin = create_user(roles=["admin"])
    agent = auth.login_as("agent")
    certificate = certify(agent, certification)
    version_read_hourly()
    assert client.get(WORKSPACE).status_code == 200  # decided, and the pass kept
    with count_queries() as log:
        assert client.get(WORKSPACE).status_code == 200
    assert not any("lms_certificat" in statement for statement in log.statements)

    operations.revoke(certificate, actor=admin, reason="Fraud")
    db.session.commit()  # bumps the content version with the revocation
    # Until this host reads the version again (at most a second later), the pass holds.
    assert client.get(WORKSPACE).status_code == 200
    version_read_hourly()
    response = client.get("/en/workspace/forms/")
    assert response.status_code == 403
    assert "was revoked" in response.get_data(as_text=True)


@pytest.mark.db
def test_a_kept_pass_ends_when_the_certificate_expires(
    client, auth, create_certification, certify, monkeypatch, version_read_hourly
):
    certification = create_certification(validity_days=30)
    agent = auth.login_as("agent")
    certificate = certify(agent, certification)
    version_read_hourly()
    assert client.get(WORKSPACE).status_code == 200
    # No change in the database: only time passes beyond the certificate's expiry.
    later = certificate.expires_dt + timedelta(seconds=1)
    monkeypatch.setattr(gate, "utcnow", lambda: later)
    assert client.get(WORKSPACE).status_code == 403


def test_a_certification_granting_the_gate_closes_an_open_workspace(
    client, auth, create_certification, version_read_hourly
):
    auth.login_as("agent")
    version_read_hourly()
    assert client.get(WORKSPACE).status_code == 200  # no certification grants it: open
    create_certification()  # commits, bumping the content version
    assert client.get(WORKSPACE).status_code == 200  # this host has not read it yet
    version_read_hourly()
    assert client.get(WORKSPACE).status_code == 403
