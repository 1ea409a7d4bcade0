"""Certification pages: verification, the PDF, my certificates, the administrators' pages."""

from __future__ import annotations

import re

import pytest

from content.extensions import db
from content.pdf import extract_text
from lms.certification import operations
from lms.certification.models import Certificate, CertificateEvent, Certification
from lms.certification.pdf import certificate_pdf
from tests.fixtures.lms_certification import EXAM, age, expire
from tests.fixtures.web import post_form


@pytest.fixture
def holder(create_user):
    """A learner who works in French."""
    return create_user(display_name="Zoë Müller-Straße", email="zoe@example.org", locale="fr")


@pytest.mark.db
def test_the_verification_page_confirms_a_valid_certificate(
    client, holder, create_certification, certify
):
    certificate = certify(holder, create_certification())
    response = client.get(f"/fr/verify/{certificate.code}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Zoë Müller-Straße" in page
    assert "Traçage: les bases" in page
    assert "valid" in page
    assert "zoe@example.org" not in page  # nothing personal beyond the name
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert response.headers["Cache-Control"] == "no-store"


def test_the_verification_page_shows_expired_and_revoked(
    client, holder, create_user, create_certification, certify
):
    certification = create_certification()
    certificate = certify(holder, certification)
    expire(certificate)
    assert "This certificate has expired." in client.get(f"/en/verify/{certificate.code}").get_data(
        as_text=True
    )
    operations.revoke(certificate, actor=create_user(roles=["admin"]), reason="Fraud")
    db.session.commit()
    page = client.get(f"/en/verify/{certificate.code}").get_data(as_text=True)
    assert "This certificate was revoked." in page
    assert "Fraud" not in page  # the reason is for administrators


def test_the_verification_page_shows_the_exam_version(
    client, holder, create_certification, certify
):
    certificate = certify(holder, create_certification())
    certificate.exam_attempt_id = None
    certificate.exam_question_versions = "12,15,31"
    db.session.commit()
    page = client.get(f"/en/verify/{certificate.code}").get_data(as_text=True)
    assert "Q12.15.31" in page


def test_unknown_codes_are_404_and_say_nothing(client, holder, create_certification, certify):
    certificate = certify(holder, create_certification())
    for code in ["nope", certificate.code[:-1], certificate.code.upper(), "999999"]:
        response = client.get(f"/en/verify/{code}")
        assert response.status_code == 404
        assert "Zoë" not in response.get_data(as_text=True)


def test_the_holder_downloads_the_pdf_in_their_language_with_the_verification_url(
    client, auth, create_certification, certify
):
    holder = auth.login_as(None, display_name="Zoë Müller-Straße", locale="fr")
    certificate = certify(holder, create_certification())
    response = client.get(f"/en/certificates/{certificate.id}/certificate.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    pdf = response.data
    assert pdf.startswith(b"%PDF-")
    assert b"/Lang (fr)" in pdf
    text = extract_text(pdf)
    url = f"http://localhost/fr/verify/{certificate.code}"
    assert "Zoë Müller-Straße" in text
    assert "Traçage: les bases" in text
    assert url in text.splitlines()  # printed under the QR code
    assert re.search(rb"/Subtype /Image", pdf)  # the QR code
    kinds = [
        e.kind for e in db.session.query(CertificateEvent).filter_by(certificate_id=certificate.id)
    ]
    assert kinds == ["issued", "printed"]


def test_others_get_404_for_a_certificate_not_theirs(
    client, auth, create_user, create_certification, certify
):
    certificate = certify(create_user(), create_certification())
    auth.login_as(None)
    assert client.get(f"/en/certificates/{certificate.id}/certificate.pdf").status_code == 404
    response = post_form(client, f"/en/certificates/{certificate.id}/retake", {})
    assert response.status_code == 404


def test_an_administrator_can_reprint_a_certificate(
    client, auth, create_user, create_certification, certify
):
    certificate = certify(create_user(), create_certification())
    auth.login_as("admin")
    assert client.get(f"/en/certificates/{certificate.id}/certificate.pdf").status_code == 200


def test_my_certificates_lists_status_and_links(client, auth, create_certification, certify):
    certification = create_certification()
    create_certification(titles={"en": "Advanced tracing"}, module_groups=["c" * 36])
    learner = auth.login_as(None)
    certificate = certify(learner, certification)
    page = client.get("/en/certificates/").get_data(as_text=True)
    assert "Contact tracing basics" in page
    assert f"/en/certificates/{certificate.id}/certificate.pdf" in page
    assert f"/en/verify/{certificate.code}" in page
    assert "Advanced tracing" in page  # still to earn, with a link to its module
    assert f'href="/en/learn/m/{"c" * 36}"' in page
    assert "Retake the exam" not in page


def test_before_expiry_the_dashboard_warns_and_the_retake_archives_attempts(
    client, auth, create_certification, certify, learning
):
    certification = create_certification()
    learner = auth.login_as(None)
    certificate = certify(learner, certification)
    assert "expires on" not in client.get("/en/dashboard").get_data(as_text=True)
    age(certificate, 340)
    dashboard = client.get("/en/dashboard").get_data(as_text=True)
    assert "Your certificate “Contact tracing basics” expires on" in dashboard
    page = client.get("/en/certificates/").get_data(as_text=True)
    assert "Retake the exam" in page
    response = post_form(client, f"/en/certificates/{certificate.id}/retake", {})
    assert response.status_code == 302
    assert response.location == f"/en/quizzes/q/{EXAM}"
    assert learning.archived == [(learner.id, EXAM)]


def test_an_expired_certificate_offers_the_retake_not_the_download(
    client, auth, create_certification, certify
):
    learner = auth.login_as(None)
    certificate = certify(learner, create_certification())
    expire(certificate)
    page = client.get("/en/certificates/").get_data(as_text=True)
    assert "expired" in page
    assert "Retake the exam" in page
    assert f"/en/certificates/{certificate.id}/certificate.pdf" not in page


def test_an_administrator_creates_and_edits_a_certification(client, auth):
    auth.login_as("admin")
    url = "/en/certificates/admin/certifications/new"
    data = {
        "code": "basics",
        "min_score_percent": "75",
        "validity_days": "730",
        "warn_days": "45",
        "grants_gate": "workspace",
        "exam_quiz_group": "",
    }
    response = post_form(client, url, data)
    assert response.status_code == 200  # no title yet: the form comes back with the error
    page = response.get_data(as_text=True)
    assert "Give a title in at least one language." in page
    assert 'value="730"' in page  # the input is kept
    response = post_form(client, url, {**data, "title_fr": "Les bases"})
    assert response.status_code == 302
    certification = db.session.query(Certification).filter_by(code="basics").one()
    assert certification.titles == {"fr": "Les bases"}
    assert (certification.min_score_percent, certification.validity_days) == (75, 730)
    assert certification.grants_gate == "workspace"
    edit = f"/en/certificates/admin/certifications/{certification.id}"
    assert 'value="Les bases"' in client.get(edit).get_data(as_text=True)
    post_form(client, edit, {**data, "title_en": "Basics", "validity_days": ""})
    db.session.expire_all()
    certification = db.session.get(Certification, certification.id)
    assert certification.validity_days is None
    assert certification.title("en") == "Basics"
    assert "Basics" in client.get("/en/certificates/admin/certifications/").get_data(as_text=True)


def test_an_administrator_revokes_with_a_reason(
    client, auth, create_user, create_certification, certify
):
    certificate = certify(create_user(display_name="Ann Agent"), create_certification())
    admin = auth.login_as("admin")
    assert "Ann Agent" in client.get("/en/certificates/admin/").get_data(as_text=True)
    url = f"/en/certificates/admin/{certificate.id}/revoke"
    response = post_form(client, url, {"reason": ""})
    assert response.status_code == 200
    assert 'class="error"' in response.get_data(as_text=True)
    assert operations.status(certificate) == operations.VALID
    response = post_form(client, url, {"reason": "Shared the exam answers"})
    assert response.status_code == 302
    db.session.expire_all()
    certificate = db.session.get(Certificate, certificate.id)
    assert operations.status(certificate) == operations.STATUS_REVOKED
    assert certificate.revoked_by_id == admin.id
    events = client.get("/en/certificates/admin/events").get_data(as_text=True)
    assert "Shared the exam answers" in events


def test_an_administrator_grants_an_exemption(client, auth, create_user, create_certification):
    certification = create_certification()
    person = create_user(email="expert@example.org")
    auth.login_as("admin")
    url = "/en/certificates/admin/exemption"
    data = {"certification_id": str(certification.id), "reason": "Ten years of tracing"}
    response = post_form(client, url, {**data, "email": "nobody@example.org"})
    assert "No account has this email address." in response.get_data(as_text=True)
    response = post_form(client, url, {**data, "email": "Expert@Example.org"})
    assert response.status_code == 302
    certificate = operations.valid_certificate(person, certification.code)
    assert certificate.is_exempt
    assert certificate.exemption_reason == "Ten years of tracing"


def test_the_dashboard_warning_ends_with_the_renewal_and_returns_on_expiry(
    client, auth, create_certification, certify, learning
):
    certification = create_certification()
    learner = auth.login_as(None)
    old = certify(learner, certification)
    age(old, 340)
    operations.start_recertification(old, actor=learner)
    learning.grade(learner, 100)
    db.session.commit()
    dashboard = client.get("/en/dashboard").get_data(as_text=True)
    assert "expires on" not in dashboard  # the new certificate runs for a year
    assert "Retake the exam" not in client.get("/en/certificates/").get_data(as_text=True)
    new = operations.valid_certificate(learner, certification.code)
    expire(new)
    dashboard = client.get("/en/dashboard").get_data(as_text=True)
    assert "Your certificate “Contact tracing basics” has expired" in dashboard


def test_names_are_text_on_the_page_and_in_the_pdf(
    client, create_user, create_certification, certify
):
    name = '<script>alert("x")</script> & <b>Bo</b>'
    certificate = certify(create_user(display_name=name), create_certification())
    page = client.get(f"/en/verify/{certificate.code}").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;Bo&lt;/b&gt;" in page
    with client.application.test_request_context("/en/"):
        assert name in extract_text(certificate_pdf(certificate))
