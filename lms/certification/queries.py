"""Reading certifications and certificates: lookups, and the status of a certificate.

Shared by the rules (:mod:`lms.certification.operations`), issuing
(:mod:`lms.certification.issuing`), the pages and the gate; re-exported by ``operations``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from content.auth.models import utcnow
from content.extensions import db
from content.items.fragments import fragment_cache
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


@dataclass(frozen=True)
class CertificationTerms:
    """What a certification requires and grants, as plain values (same names as the model).

    What issuing reads at every graded exam: kept per process by
    :func:`certification_terms`, never edited (the pages edit :class:`Certification`).
    """

    id: int
    code: str
    titles: tuple[tuple[str, str], ...]
    exam_quiz_group: str | None
    min_score_percent: int
    validity_days: int | None
    warn_days: int
    grants_gate: str | None
    module_groups: tuple[str, ...]

    @classmethod
    def of(cls, certification: Certification) -> CertificationTerms:
        """Copy a certification (its modules loaded) into plain values."""
        return cls(
            id=certification.id,
            code=certification.code,
            titles=tuple(sorted(certification.titles.items())),
            exam_quiz_group=certification.exam_quiz_group,
            min_score_percent=certification.min_score_percent,
            validity_days=certification.validity_days,
            warn_days=certification.warn_days,
            grants_gate=certification.grants_gate,
            module_groups=tuple(certification.module_groups),
        )

    def title(self, language: str) -> str:
        """Return the title in ``language``, else English, else any, else the code."""
        titles = dict(self.titles)
        return titles.get(language) or titles.get("en") or next(iter(titles.values()), self.code)


def certification_terms() -> tuple[CertificationTerms, ...]:
    """Return every certification's terms, by code, as of the current content version.

    Read once per process and content version: creating or changing a certification bumps
    the version (:func:`lms.certification.operations.update_certification`), so every host
    sees the change within ``PAGE_CACHE_CHECK_SECONDS``. Certificates, revocations and the
    gate are read from the database at every use, never from here.
    """
    return fragment_cache().get_or_make(
        "lms.certification_terms",
        lambda: tuple(CertificationTerms.of(c) for c in list_certifications()),
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
        .options(joinedload(Certificate.certification))  # its title is shown with it
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
