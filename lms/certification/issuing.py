"""Issuing certificates: at once when the last requirement is met, or by exemption.

:func:`issue_if_earned` listens to ``module_completed`` and ``attempt_graded`` (inside
their transaction); plugins call it when a requirement of theirs is met. Re-exported by
:mod:`lms.certification.operations`, the module other parts import.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
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
    RETAKE,
    Certificate,
    CertificateEvent,
    Certification,
)
from lms.certification.queries import (
    VALID,
    CertificationTerms,
    certification_terms,
    expires_soon,
    latest_certificate,
    status,
)


class CertificationError(ValueError):
    """A request the rules refuse (translated message)."""


def record_event(
    certificate: Certificate, kind: str, actor=None, reason: str | None = None
) -> None:
    """Add the event ``kind`` to a certificate's record (who, why, when)."""
    db.session.add(
        CertificateEvent(
            certificate=certificate,
            kind=kind,
            actor_id=getattr(actor, "id", None),
            reason=reason,
            created_dt=utcnow(),
        )
    )


def _new_certificate(
    user, certification: Certification | CertificationTerms, **fields
) -> Certificate:
    now = utcnow()
    expires = (
        now + timedelta(days=certification.validity_days)
        if certification.validity_days is not None
        else None
    )
    if isinstance(certification, Certification):
        fields["certification"] = certification
    else:  # terms kept by the process: the row is loaded when (and if) used
        fields["certification_id"] = certification.id
    certificate = Certificate(
        user_id=user.id,
        code=secrets.token_urlsafe(24),  # 192 random bits: unguessable, URL-safe
        language=user.locale,
        issued_dt=now,
        expires_dt=expires,
        **fields,
    )
    db.session.add(certificate)
    return certificate


def _lock_user(user) -> None:
    """Serialize issuing for one user (two signals in two requests must not issue twice).

    Everything read after the lock sees what a concurrent request committed before it let
    go. SQLite has no row locks (``FOR UPDATE`` is not rendered): there the caller's own
    write already holds the database's write lock, and the statement would do nothing.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        return
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())


def _renewal_allowed(
    user, certification: Certification | CertificationTerms, now: datetime
) -> bool:
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


def issue_if_earned(
    user, certifications: Sequence[CertificationTerms] | None = None
) -> list[Certificate]:
    """Issue every certificate ``user`` has just earned, at once; return the new ones.

    Runs in the caller's transaction (flushes, sends ``certificate_issued``, never commits).
    The certifications' terms come from the process's copy (:func:`certification_terms`);
    everything about the user is read under their lock.

    :param certifications: :func:`certification_terms`, when the caller has just read them.
    """
    if user is None or getattr(user, "id", None) is None:
        return []
    _lock_user(user)  # first: what follows must see what a concurrent request committed
    now = utcnow()
    completed = adapters.completed_module_groups(user)
    issued = []
    for certification in certifications if certifications is not None else certification_terms():
        # Cheapest first: the modules (read above), the exam, the earlier certificate,
        # then what plugins require.
        done, grade, attempt = requirements.training_done(user, certification, completed)
        if not done or not _renewal_allowed(user, certification, now):
            continue
        if requirements.missing_requirements(user, certification):
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
        record_event(certificate, ISSUED)
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
    record_event(certificate, EXEMPTED, actor, reason)
    db.session.flush()
    signals.certificate_issued.send(current_app._get_current_object(), certificate=certificate)
    return certificate


# ---------------------------------------------------------------- signals


def _on_module_completed(sender, user=None, **kwargs) -> None:
    issue_if_earned(user)


def _on_attempt_graded(sender, attempt=None, **kwargs) -> None:
    # Only a certification's exam earns a certificate by being graded; a quiz that completes
    # a module does so through ``module_completed``. Other quizzes cost nothing here: the
    # certifications' terms are kept by the process.
    if attempt is None:
        return
    certifications = certification_terms()
    if any(c.exam_quiz_group == attempt.quiz_group for c in certifications):
        issue_if_earned(db.session.get(User, attempt.user_id), certifications)


def connect_signals() -> None:
    """Issue certificates when modules are completed and exams graded (idempotent)."""
    signals.module_completed.connect(_on_module_completed)
    signals.attempt_graded.connect(_on_attempt_graded)
