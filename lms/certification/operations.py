"""Rules of certification: issue at once, validity, expiry, recertification, revocation.

Life cycle of a certificate (see docs/lms-certification.md):

- **issued** by :func:`issue_if_earned` the moment the last requirement is met (it
  listens to ``module_completed`` and ``attempt_graded``, inside their transaction), or
  granted by an administrator as an **exemption** (:func:`grant_exemption`);
- **valid** until ``expires_dt``; from ``warn_days`` before it the holder is warned and
  may **retake** the exam (:func:`start_recertification` archives their attempts, so the
  retake starts with fresh ones); passing again issues a new certificate;
- **expired** after ``expires_dt``, **revoked** by an administrator with a reason.
  Either closes the gate the certification grants.

Operations flush; the caller commits. Every change leaves a ``CertificateEvent``.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from content.auth.models import User, utcnow
from content.extensions import db
from content.i18n import _
from lms import signals
from lms.certification import adapters, requirements
from lms.certification.models import (
    EXEMPTED,
    ISSUED,
    PRINTED,
    RETAKE,
    REVOKED,
    Certificate,
    CertificateEvent,
    Certification,
    CertificationModule,
)

VALID = "valid"
EXPIRED = "expired"
STATUS_REVOKED = "revoked"


class CertificationError(ValueError):
    """A request the rules refuse (translated message)."""


# ---------------------------------------------------------------- certifications


def create_certification(code: str, **fields) -> Certification:
    """Create a certification; ``fields`` as in :func:`update_certification`."""
    certification = Certification(code=code.strip())
    db.session.add(certification)
    update_certification(certification, **fields)
    return certification


def update_certification(
    certification: Certification,
    *,
    titles: dict[str, str] | None = None,
    module_groups: list[str] | None = None,
    exam_quiz_group: str | None = None,
    min_score_percent: int = 80,
    validity_days: int | None = 365,
    warn_days: int = 30,
    grants_gate: str | None = None,
) -> Certification:
    """Set what a certification requires and grants (existing certificates keep theirs)."""
    if titles is not None:
        certification.titles = titles
    if module_groups is not None:
        kept = {module.module_group: module for module in certification.modules}
        certification.modules = [
            kept.get(group) or CertificationModule(module_group=group)
            for group in dict.fromkeys(module_groups)
        ]
        for position, module in enumerate(certification.modules):
            module.position = position
    certification.exam_quiz_group = exam_quiz_group or None
    certification.min_score_percent = min_score_percent
    certification.validity_days = validity_days
    certification.warn_days = warn_days
    certification.grants_gate = grants_gate or None
    db.session.flush()
    return certification


def list_certifications() -> list[Certification]:
    """Return every certification, by code."""
    return list(db.session.scalars(select(Certification).order_by(Certification.code)))


def certification_by_code(code: str) -> Certification | None:
    """Return the certification with ``code``, or None."""
    return db.session.scalar(select(Certification).where(Certification.code == code))


# ---------------------------------------------------------------- status


def status(certificate: Certificate, now: datetime | None = None) -> str:
    """Return ``"valid"``, ``"expired"`` or ``"revoked"``."""
    now = now or utcnow()
    if certificate.revoked_dt is not None:
        return STATUS_REVOKED
    if certificate.expires_dt is not None and certificate.expires_dt <= now:
        return EXPIRED
    return VALID


def expires_soon(certificate: Certificate, now: datetime | None = None) -> bool:
    """Return whether a valid certificate is in its warning window (retake open, dashboard)."""
    now = now or utcnow()
    if status(certificate, now) != VALID or certificate.expires_dt is None:
        return False
    return certificate.expires_dt - timedelta(days=certificate.certification.warn_days) <= now


def user_certificates(user) -> list[Certificate]:
    """Return ``user``'s certificates, newest first."""
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.user_id == user.id)
            .order_by(Certificate.issued_dt.desc(), Certificate.id.desc())
        )
    )


def current_certificates(user) -> list[Certificate]:
    """Return ``user``'s latest certificate of each certification (what to warn about)."""
    latest: dict[int, Certificate] = {}
    for certificate in user_certificates(user):
        latest.setdefault(certificate.certification_id, certificate)
    return list(latest.values())


def latest_certificate(user, certification: Certification) -> Certificate | None:
    """Return ``user``'s most recently issued certificate of ``certification`` (any status)."""
    return db.session.scalar(
        select(Certificate)
        .where(Certificate.user_id == user.id, Certificate.certification_id == certification.id)
        .order_by(Certificate.issued_dt.desc(), Certificate.id.desc())
        .limit(1)
    )


def _valid_of(user, certification: Certification, now: datetime) -> Certificate | None:
    """Return the user's valid certificate of a certification expiring last, or None."""
    candidates = db.session.scalars(
        select(Certificate).where(
            Certificate.user_id == user.id,
            Certificate.certification_id == certification.id,
            Certificate.revoked_dt.is_(None),
        )
    )
    valid = [cert for cert in candidates if status(cert, now) == VALID]
    never = datetime.max.replace(tzinfo=now.tzinfo)
    return max(valid, key=lambda cert: cert.expires_dt or never, default=None)


def valid_certificate(user, certification_code: str) -> Certificate | None:
    """Return ``user``'s valid certificate of the certification ``certification_code``."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    certification = certification_by_code(certification_code)
    if certification is None:
        return None
    return _valid_of(user, certification, utcnow())


def certificate_by_code(code: str) -> Certificate | None:
    """Return the certificate with this verification code, or None."""
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def certificate_of_attempt(attempt) -> Certificate | None:
    """Return the certificate an exam attempt earned (None: it earned none, or not yet)."""
    if attempt is None or getattr(attempt, "id", None) is None:
        return None
    return db.session.scalar(
        select(Certificate)
        .where(Certificate.exam_attempt_id == attempt.id, Certificate.revoked_dt.is_(None))
        .order_by(Certificate.id.desc())
        .limit(1)
    )


def exam_version(certificate: Certificate) -> str | None:
    """Return what proves the exam: attempt number and question version ids (or None)."""
    if certificate.exam_attempt_id is None and not certificate.exam_question_versions:
        return None
    parts = []
    if certificate.exam_attempt_id is not None:
        parts.append(f"A{certificate.exam_attempt_id}")
    if certificate.exam_question_versions:
        parts.append("Q" + ".".join(certificate.exam_question_versions.split(",")))
    return "-".join(parts)


# ---------------------------------------------------------------- issue


def _event(certificate: Certificate, kind: str, actor=None, reason: str | None = None) -> None:
    db.session.add(
        CertificateEvent(
            certificate=certificate,
            kind=kind,
            actor_id=getattr(actor, "id", None),
            reason=reason,
            created_dt=utcnow(),
        )
    )


def _new_certificate(user, certification: Certification, **fields) -> Certificate:
    now = utcnow()
    expires = (
        now + timedelta(days=certification.validity_days)
        if certification.validity_days is not None
        else None
    )
    certificate = Certificate(
        user_id=user.id,
        certification=certification,
        code=secrets.token_urlsafe(24),  # 192 random bits: unguessable, URL-safe
        language=user.locale,
        issued_dt=now,
        expires_dt=expires,
        **fields,
    )
    db.session.add(certificate)
    return certificate


def _lock_user(user) -> None:
    """Serialize issuing for one user (two signals in two requests must not issue twice)."""
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())


def _renewal_allowed(user, certification: Certification, now: datetime) -> bool:
    """Return whether passing again may issue a (new) certificate of ``certification``.

    A first certificate may always be earned. After one, only a fresh cycle of attempts
    counts: the holder started a retake (attempts archived), or the last certificate was
    revoked (which archives the attempts too). So an old passed exam never renews an
    expired certificate by itself.
    """
    latest = latest_certificate(user, certification)
    if latest is None or latest.revoked_dt is not None:
        return True
    if status(latest, now) == VALID and not expires_soon(latest, now):
        return False
    return any(event.kind == RETAKE for event in latest.events)


def issue_if_earned(user) -> list[Certificate]:
    """Issue every certificate ``user`` has just earned, at once; return the new ones.

    Runs in the caller's transaction (flushes, sends ``certificate_issued``, never commits).
    """
    if user is None or getattr(user, "id", None) is None:
        return []
    _lock_user(user)
    now = utcnow()
    completed = adapters.completed_module_groups(user)
    issued = []
    for certification in list_certifications():
        if not _renewal_allowed(user, certification, now):
            continue
        earned, grade, attempt = requirements.earned(user, certification, completed)
        if not earned:
            continue
        versions = None
        if attempt is not None:
            versions = ",".join(str(q.question_version_id) for q in attempt.questions)
        certificate = _new_certificate(
            user,
            certification,
            exam_quiz_group=certification.exam_quiz_group,
            exam_grade=grade,
            exam_attempt_id=getattr(attempt, "id", None),
            exam_question_versions=versions or None,
        )
        _event(certificate, ISSUED)
        db.session.flush()
        issued.append(certificate)
        current_app.logger.info(
            "certificate %s issued (certification %s)", certificate.id, certification.code
        )
        signals.certificate_issued.send(current_app._get_current_object(), certificate=certificate)
    return issued


def grant_exemption(user, certification: Certification, *, actor, reason: str) -> Certificate:
    """Grant ``user`` a certificate without the requirements (an administrator's decision)."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificationError(_("Give a reason."))
    certificate = _new_certificate(
        user,
        certification,
        is_exempt=True,
        exemption_reason=reason,
        granted_by_id=actor.id,
    )
    _event(certificate, EXEMPTED, actor, reason)
    db.session.flush()
    signals.certificate_issued.send(current_app._get_current_object(), certificate=certificate)
    return certificate


# ---------------------------------------------------------------- revoke, retake, print


def revoke(certificate: Certificate, *, actor, reason: str) -> None:
    """Revoke a certificate with a reason; the exam attempts that earned it stop counting."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificationError(_("Give a reason."))
    if certificate.revoked_dt is not None:
        raise CertificationError(_("This certificate is already revoked."))
    certificate.revoked_dt = utcnow()
    certificate.revoked_by_id = actor.id
    certificate.revoke_reason = reason
    _event(certificate, REVOKED, actor, reason)
    if certificate.exam_quiz_group:
        # Otherwise the same passed exam would issue the certificate again on the next signal.
        adapters.archive_attempts(certificate.user, certificate.exam_quiz_group)
    db.session.flush()


def may_retake(certificate: Certificate, now: datetime | None = None) -> bool:
    """Return whether the holder may start recertification from this certificate."""
    now = now or utcnow()
    if certificate.certification.exam_quiz_group is None:
        return False
    if certificate.revoked_dt is not None or any(e.kind == RETAKE for e in certificate.events):
        return False
    latest = latest_certificate(certificate.user, certificate.certification)
    if latest is not None and latest.id != certificate.id:
        return False  # a newer certificate exists: renew from that one
    return status(certificate, now) == EXPIRED or expires_soon(certificate, now)


def start_recertification(certificate: Certificate, *, actor) -> None:
    """Archive the holder's exam attempts so a retake starts with fresh ones."""
    if not may_retake(certificate):
        raise CertificationError(_("A retake opens shortly before the certificate expires."))
    adapters.archive_attempts(certificate.user, certificate.certification.exam_quiz_group)
    _event(certificate, RETAKE, actor)
    db.session.flush()


def record_print(certificate: Certificate, *, actor) -> None:
    """Record that a certificate's PDF was produced (downloaded)."""
    _event(certificate, PRINTED, actor)
    db.session.flush()


def list_events(limit: int = 200) -> list[CertificateEvent]:
    """Return the latest certificate events, newest first."""
    return list(
        db.session.scalars(
            select(CertificateEvent)
            .order_by(CertificateEvent.created_dt.desc(), CertificateEvent.id.desc())
            .limit(limit)
        )
    )


def list_certificates(certification: Certification | None = None) -> list[Certificate]:
    """Return certificates (of one certification, or all), newest first."""
    query = select(Certificate).order_by(Certificate.issued_dt.desc(), Certificate.id.desc())
    if certification is not None:
        query = query.where(Certificate.certification_id == certification.id)
    return list(db.session.scalars(query))


# ---------------------------------------------------------------- signals


def _on_module_completed(sender, user=None, **kwargs) -> None:
    issue_if_earned(user)


def _on_attempt_graded(sender, attempt=None, **kwargs) -> None:
    # Only a certification's exam earns a certificate by being graded; a quiz that completes
    # a module does so through ``module_completed``. Other quizzes cost one query here.
    if attempt is None:
        return
    if any(c.exam_quiz_group == attempt.quiz_group for c in list_certifications()):
        issue_if_earned(db.session.get(User, attempt.user_id))


def connect_signals() -> None:
    """Issue certificates when modules are completed and exams graded (idempotent)."""
    signals.module_completed.connect(_on_module_completed)
    signals.attempt_graded.connect(_on_attempt_graded)
