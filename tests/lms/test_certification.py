"""Certificate life cycle: issue at once, expiry, recertification, revocation, exemption."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest

from content.auth.models import User, utcnow
from content.extensions import db
from lms import signals
from lms.certification import operations
from lms.certification.models import Certificate, CertificateEvent
from tests.fixtures.lms_certification import EXAM, MODULE, age, expire


def _events(certificate):
    return [
        (event.kind, event.actor_id, event.reason)
        for event in db.session.query(CertificateEvent)
        .filter_by(certificate_id=certificate.id)
        .order_by(CertificateEvent.id)
    ]


@pytest.mark.db
def test_passing_the_exam_after_the_module_issues_the_certificate_at_once(
    create_user, create_certification, learning
):
    certification = create_certification()
    learner = create_user(locale="fr")
    sent = []

    def receiver(sender, certificate, **kwargs):
        sent.append(certificate)

    signals.certificate_issued.connect(receiver)
    try:
        learning.complete(learner)
        assert operations.user_certificates(learner) == []  # exam not passed yet
        learning.grade(learner, 79)
        assert operations.user_certificates(learner) == []  # below the minimum of 80
        learning.grade(learner, 80)
        # Same transaction as the grading: no batch job, no commit needed to see it.
        (certificate,) = operations.user_certificates(learner)
    finally:
        signals.certificate_issued.disconnect(receiver)
    db.session.commit()
    assert sent == [certificate]
    assert certificate.language == "fr"
    assert certificate.exam_grade == 80
    assert certificate.exam_quiz_group == EXAM
    assert operations.status(certificate) == operations.VALID
    assert certificate.expires_dt - certificate.issued_dt == timedelta(days=365)
    assert operations.valid_certificate(learner, certification.code) == certificate
    assert _events(certificate) == [("issued", None, None)]


def test_the_exam_first_then_the_module_also_issues(create_user, create_certification, learning):
    create_certification()
    learner = create_user()
    learning.grade(learner, 95)
    assert operations.user_certificates(learner) == []
    learning.complete(learner)
    assert len(operations.user_certificates(learner)) == 1


def test_another_signal_does_not_issue_a_second_certificate(
    create_user, create_certification, certify, learning
):
    certification = create_certification()
    learner = create_user()
    certify(learner, certification)
    learning.grade(learner, 100)
    learning.complete(learner)
    assert len(operations.user_certificates(learner)) == 1


def test_every_required_module_counts(create_user, create_certification, learning):
    create_certification(module_groups=[MODULE, "second-module"])
    learner = create_user()
    learning.complete(learner)
    learning.grade(learner, 100)
    assert operations.user_certificates(learner) == []
    learning.complete(learner, "second-module")
    assert len(operations.user_certificates(learner)) == 1


def test_verification_codes_are_long_random_and_unique(create_user, create_certification, certify):
    certification = create_certification()
    codes = {certify(create_user(), certification).code for _ in range(5)}
    assert len(codes) == 5
    assert all(len(code) >= 32 for code in codes)
    assert all(code.replace("-", "").replace("_", "").isalnum() for code in codes)


def test_an_expired_certificate_is_no_longer_valid(create_user, create_certification, certify):
    certification = create_certification()
    learner = create_user()
    certificate = certify(learner, certification)
    expire(certificate)
    assert operations.status(certificate) == operations.EXPIRED
    assert operations.valid_certificate(learner, certification.code) is None


def test_an_old_pass_does_not_renew_an_expired_certificate(
    create_user, create_certification, certify, learning
):
    certification = create_certification()
    learner = create_user()
    expire(certify(learner, certification))
    learning.complete(learner)  # any later signal, with the old passing grade still there
    assert len(operations.user_certificates(learner)) == 1
    assert operations.valid_certificate(learner, certification.code) is None


@pytest.mark.db
def test_recertification_starts_with_fresh_attempts_and_issues_a_new_certificate(
    create_user, create_certification, certify, learning
):
    certification = create_certification()
    learner = create_user()
    old = certify(learner, certification)
    expire(old)
    assert operations.may_retake(old)
    operations.start_recertification(old, actor=learner)
    db.session.commit()
    assert learning.archived == [(learner.id, EXAM)]
    assert not operations.may_retake(old)  # once per certificate
    learning.grade(learner, 60)
    assert operations.valid_certificate(learner, certification.code) is None
    learning.grade(learner, 90)
    db.session.commit()
    new = operations.valid_certificate(learner, certification.code)
    assert new is not None
    assert new.id != old.id
    assert new.exam_grade == 90
    assert [kind for kind, *_ in _events(old)] == ["issued", "retake"]


def test_the_warning_window_opens_the_retake_before_expiry(
    create_user, create_certification, certify
):
    certification = create_certification(validity_days=365, warn_days=30)
    learner = create_user()
    certificate = certify(learner, certification)
    assert not operations.expires_soon(certificate)
    assert not operations.may_retake(certificate)
    with pytest.raises(operations.CertificationError):
        operations.start_recertification(certificate, actor=learner)
    age(certificate, 340)  # 25 days left
    assert operations.expires_soon(certificate)
    assert operations.may_retake(certificate)
    assert operations.status(certificate) == operations.VALID


def test_renewal_in_the_window_keeps_access_without_a_gap(
    create_user, create_certification, certify, learning
):
    certification = create_certification()
    learner = create_user()
    old = certify(learner, certification)
    age(old, 340)
    operations.start_recertification(old, actor=learner)
    # Still valid while retaking.
    assert operations.valid_certificate(learner, certification.code) == old
    learning.grade(learner, 85)
    new = operations.valid_certificate(learner, certification.code)
    assert new.id != old.id
    assert new.expires_dt > old.expires_dt


def test_revocation_needs_a_reason_is_recorded_and_archives_the_exam(
    create_user, create_certification, certify, learning
):
    certification = create_certification()
    learner = create_user()
    admin = create_user(roles=["admin"])
    certificate = certify(learner, certification)
    with pytest.raises(operations.CertificationError):
        operations.revoke(certificate, actor=admin, reason="  ")
    operations.revoke(certificate, actor=admin, reason="Exam taken by someone else")
    db.session.commit()
    assert operations.status(certificate) == operations.STATUS_REVOKED
    assert certificate.revoked_by_id == admin.id
    assert operations.valid_certificate(learner, certification.code) is None
    assert _events(certificate)[-1] == ("revoked", admin.id, "Exam taken by someone else")
    assert learning.archived == [(learner.id, EXAM)]
    # The old pass no longer counts; passing again issues a new certificate.
    learning.complete(learner)
    assert operations.valid_certificate(learner, certification.code) is None
    learning.grade(learner, 100)
    assert operations.valid_certificate(learner, certification.code) is not None
    with pytest.raises(operations.CertificationError):
        operations.revoke(certificate, actor=admin, reason="again")


def test_an_exemption_gives_a_valid_certificate_with_the_reason(create_user, create_certification):
    certification = create_certification()
    learner = create_user()
    admin = create_user(roles=["admin"])
    with pytest.raises(operations.CertificationError):
        operations.grant_exemption(learner, certification, actor=admin, reason="")
    certificate = operations.grant_exemption(
        learner, certification, actor=admin, reason="Trained by the regional centre"
    )
    db.session.commit()
    assert operations.valid_certificate(learner, certification.code) == certificate
    assert certificate.is_exempt
    assert certificate.granted_by_id == admin.id
    assert certificate.exam_grade is None
    assert _events(certificate) == [("exempted", admin.id, "Trained by the regional centre")]


def test_a_certification_without_expiry_never_expires(create_user, create_certification, certify):
    certification = create_certification(validity_days=None)
    certificate = certify(create_user(), certification)
    assert certificate.expires_dt is None
    assert not operations.expires_soon(certificate)
    assert operations.status(certificate, utcnow() + timedelta(days=10_000)) == operations.VALID


def test_a_module_only_certification_needs_no_exam(create_user, create_certification, learning):
    certification = create_certification(exam_quiz_group=None)
    learner = create_user()
    learning.complete(learner)
    assert operations.valid_certificate(learner, certification.code) is not None


@pytest.mark.db
def test_certificates_go_with_their_holder(create_user, create_certification, certify):
    certification = create_certification()
    learner = create_user()
    certify(learner, certification)
    db.session.delete(learner)
    db.session.commit()
    assert db.session.query(Certificate).count() == 0


@pytest.mark.db
def test_two_gradings_at_once_issue_one_certificate(
    app, backend, create_user, create_certification, learning
):
    if backend == "sqlite":
        pytest.skip("SQLite: the grading's own write lock already serializes the two")
    create_certification()
    learner = create_user()
    learning.completed[learner.id] = {MODULE}
    learning.grades[(learner.id, EXAM)] = Decimal(100)
    barrier = threading.Barrier(2)
    errors = []

    def grading_request():
        try:
            with app.app_context():
                user = db.session.get(User, learner.id)
                barrier.wait()
                operations.issue_if_earned(user)
                time.sleep(0.3)  # the other request arrives while this one holds its lock
                db.session.commit()
        except Exception as exc:  # reported below: a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=grading_request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    db.session.expire_all()
    assert len(operations.user_certificates(learner)) == 1
