"""Reading certifications and certificates: lookups, and the status of a certificate.

Shared by the rules (:mod:`lms.certification.operations`), issuing
(:mod:`lms.certification.issuing`), the pages and the gate; re-exported by ``operations``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from content.auth.models import utcnow
from content.extensions import db
from lms.certification.models import Certificate, Certification

VALID = "valid"
EXPIRED = "expired"
STATUS_REVOKED = "revoked"


def list_certifications() -> list[Certification]:
    """Return every certification, by code, with its modules (one query, not one each)."""
    return list(
        db.session.scalars(
            select(Certification)
            .options(joinedload(Certification.modules))
            .order_by(Certification.code)
        ).unique()
    )


def certification_by_code(code: str) -> Certification | None:
    """Return the certification with ``code``, or None."""
    return db.session.scalar(select(Certification).where(Certification.code == code))


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


def valid_of(user, certification: Certification, now: datetime) -> Certificate | None:
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
    return valid_of(user, certification, utcnow())


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
