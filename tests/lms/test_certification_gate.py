"""The certificate gate: the workspace refuses agents without a valid certificate, kindly."""

from __future__ import annotations

import pytest
from flask_login import login_user
from werkzeug.exceptions import HTTPException

from content.extensions import db
from content.gates import GateRefusal, access_denied, denied_response, require_gate
from lms.certification import operations, require_certificate
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
