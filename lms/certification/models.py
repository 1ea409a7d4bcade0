"""Certifications, the certificates learners hold, and the record of what happened to them.

A certification names required modules and an exam by translation group (see
:mod:`lms.courses.models`), so modules and an exam done in any language count. A
certificate is never edited away: expiry is a date, revocation and exemption are columns
with who and why, and every change also leaves a row in ``lms_certificate_events``.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.auth.models import User, utcnow
from content.extensions import db
from lms.quizzes.columns import ScaledDecimal

#: Length of ``ContentItem.translation_group`` (a UUID string).
GROUP_LENGTH = 36

# Certificate events (``CertificateEvent.kind``).
ISSUED = "issued"
EXEMPTED = "exempted"
REVOKED = "revoked"
RETAKE = "retake"  # the holder started recertification: exam attempts archived
PRINTED = "printed"  # a PDF was downloaded (by the holder or an administrator)
EVENT_KINDS = (ISSUED, EXEMPTED, REVOKED, RETAKE, PRINTED)


class Certification(db.Model):
    """What a certificate certifies: modules, an exam with a minimum score, validity, access."""

    __tablename__ = "lms_certifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable name used by code and other plugins (``require_certificate("basics")``).
    code: Mapped[str] = mapped_column(String(50), unique=True)
    #: ``{language: title}``; see :meth:`title`.
    titles_json: Mapped[str] = mapped_column(Text, default="{}")
    #: The exam's quiz translation group; None: the modules alone earn the certificate.
    exam_quiz_group: Mapped[str | None] = mapped_column(String(GROUP_LENGTH))
    #: Minimum exam grade in percent (0-100), by the quiz's grading method.
    min_score_percent: Mapped[int] = mapped_column(default=80)
    #: Days a certificate stays valid after issue; None: it never expires.
    validity_days: Mapped[int | None]
    #: Days before expiry the holder is warned and may retake the exam.
    warn_days: Mapped[int] = mapped_column(default=30)
    #: The access gate a valid certificate opens (``"workspace"``), or None.
    grants_gate: Mapped[str | None] = mapped_column(String(50), index=True)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)

    modules: Mapped[list[CertificationModule]] = relationship(
        back_populates="certification",
        cascade="all, delete-orphan",
        order_by="CertificationModule.position",
    )

    @property
    def titles(self) -> dict[str, str]:
        """Return the titles by language."""
        return json.loads(self.titles_json or "{}")

    @titles.setter
    def titles(self, value: dict[str, str]) -> None:
        self.titles_json = json.dumps(
            {lang: text.strip() for lang, text in value.items() if text and text.strip()},
            ensure_ascii=False,
            sort_keys=True,
        )

    def title(self, language: str) -> str:
        """Return the title in ``language``, else English, else any, else the code."""
        titles = self.titles
        return titles.get(language) or titles.get("en") or next(iter(titles.values()), self.code)

    @property
    def module_groups(self) -> list[str]:
        """Return the required modules' translation groups, in order."""
        return [module.module_group for module in self.modules]

    def __repr__(self) -> str:
        return f"<Certification {self.code}>"


class CertificationModule(db.Model):
    """A module a certification requires (by the module's translation group)."""

    __tablename__ = "lms_certification_modules"

    certification_id: Mapped[int] = mapped_column(
        ForeignKey("lms_certifications.id", ondelete="CASCADE"), primary_key=True
    )
    module_group: Mapped[str] = mapped_column(String(GROUP_LENGTH), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)

    certification: Mapped[Certification] = relationship(back_populates="modules")

    def __repr__(self) -> str:
        return f"<CertificationModule {self.certification_id} {self.module_group}>"


class Certificate(db.Model):
    """A certification earned (or granted by exemption) by one user.

    Valid from ``issued_dt`` until ``expires_dt`` unless revoked. The exam columns copy
    what earned it (the attempt and the exact question versions it asked), so the proof
    survives the attempt being archived.
    """

    __tablename__ = "lms_certificates"
    __table_args__ = (
        Index("ix_lms_certificates_user_certification", "user_id", "certification_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    certification_id: Mapped[int] = mapped_column(
        ForeignKey("lms_certifications.id", ondelete="CASCADE"), index=True
    )
    #: The public verification code (``secrets.token_urlsafe``): unguessable, in the URL.
    code: Mapped[str] = mapped_column(String(64), unique=True)
    #: The holder's language when issued: the PDF's language.
    language: Mapped[str] = mapped_column(String(8))
    issued_dt: Mapped[datetime] = mapped_column(default=utcnow)
    expires_dt: Mapped[datetime | None]
    exam_quiz_group: Mapped[str | None] = mapped_column(String(GROUP_LENGTH))
    exam_grade: Mapped[Decimal | None] = mapped_column(ScaledDecimal(2))
    #: Indexed: the exam's result page looks the certificate up by its attempt.
    exam_attempt_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_attempts.id", ondelete="SET NULL"), index=True
    )
    #: Comma-separated question version ids the exam attempt asked.
    exam_question_versions: Mapped[str | None] = mapped_column(Text)
    revoked_dt: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoke_reason: Mapped[str | None] = mapped_column(Text)
    is_exempt: Mapped[bool] = mapped_column(default=False)
    exemption_reason: Mapped[str | None] = mapped_column(Text)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    certification: Mapped[Certification] = relationship()
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])
    granted_by: Mapped[User | None] = relationship(foreign_keys=[granted_by_id])
    events: Mapped[list[CertificateEvent]] = relationship(
        back_populates="certificate",
        cascade="all, delete-orphan",
        order_by="CertificateEvent.created_dt",
    )

    def __repr__(self) -> str:
        return f"<Certificate {self.id} user {self.user_id} certification {self.certification_id}>"


class CertificateEvent(db.Model):
    """Something that happened to a certificate: issue, exemption, revocation, retake, print."""

    __tablename__ = "lms_certificate_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(
        ForeignKey("lms_certificates.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    #: Who did it; None for the system (an exam passed) or a deleted account.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(Text)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    certificate: Mapped[Certificate] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<CertificateEvent {self.kind} certificate {self.certificate_id}>"
