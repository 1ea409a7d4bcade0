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

from datetime import datetime

from sqlalchemy import select

from content.auth.models import utcnow
from content.extensions import db
from content.i18n import _
from content.items.page_cache import bump_content_version
from lms.certification import adapters
from lms.certification.issuing import (
    CertificationError,
    connect_signals,
    grant_exemption,
    issue_if_earned,
    record_event,
)
from lms.certification.models import (
    PRINTED,
    RETAKE,
    REVOKED,
    Certificate,
    CertificateEvent,
    Certification,
    CertificationModule,
)
from lms.certification.queries import (
    EXPIRED,
    STATUS_REVOKED,
    VALID,
    CertificationTerms,
    certificate_by_code,
    certificate_of_attempt,
    certification_by_code,
    certification_terms,
    current_certificates,
    exam_version,
    expires_soon,
    latest_certificate,
    list_certifications,
    status,
    user_certificates,
    valid_certificate,
    valid_of,
)

# Reading and issuing live in queries.py and issuing.py; these names are part of this
# module's interface too (docs/lms-certification.md, docs/plugins.md).
__all__ = [
    "EXPIRED",
    "STATUS_REVOKED",
    "VALID",
    "CertificationError",
    "CertificationTerms",
    "certificate_by_code",
    "certificate_of_attempt",
    "certification_by_code",
    "certification_terms",
    "connect_signals",
    "create_certification",
    "current_certificates",
    "exam_version",
    "expires_soon",
    "grant_exemption",
    "issue_if_earned",
    "latest_certificate",
    "list_certificates",
    "list_certifications",
    "list_events",
    "may_retake",
    "record_print",
    "revoke",
    "start_recertification",
    "status",
    "update_certification",
    "user_certificates",
    "valid_certificate",
    "valid_of",
]


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
    """Set what a certification requires and grants (existing certificates keep theirs).

    Bumps the content version: every process reads the terms afresh
    (:func:`~lms.certification.queries.certification_terms`).
    """
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
    bump_content_version()
    db.session.flush()
    return certification


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
    record_event(certificate, REVOKED, actor, reason)
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
    record_event(certificate, RETAKE, actor)
    db.session.flush()


def record_print(certificate: Certificate, *, actor) -> None:
    """Record that a certificate's PDF was produced (downloaded)."""
    record_event(certificate, PRINTED, actor)
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
