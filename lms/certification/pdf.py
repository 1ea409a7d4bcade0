"""The certificate as a PDF, in the holder's language, with a QR code of its verification page."""

from __future__ import annotations

from flask import url_for
from flask_babel import force_locale, format_date

from content.i18n import _
from content.pdf import build_pdf
from lms.certification import operations
from lms.certification.models import Certificate


def verification_url(certificate: Certificate) -> str:
    """Return the public verification page of a certificate, in its language (absolute)."""
    return url_for(
        "certification.verify_certificate",
        lang_code=certificate.language,
        code=certificate.code,
        _external=True,
    )


def certificate_pdf(certificate: Certificate) -> bytes:
    """Return the certificate's PDF, every label in the holder's language."""
    language = certificate.language
    url = verification_url(certificate)
    with force_locale(language):
        title = certificate.certification.title(language)
        fields = [
            (_("Holder"), certificate.user.display_name),
            (_("Certification"), title),
            (_("Issued on"), format_date(certificate.issued_dt, "long")),
            (
                _("Valid until"),
                format_date(certificate.expires_dt, "long")
                if certificate.expires_dt
                else _("No expiry"),
            ),
        ]
        if certificate.is_exempt:
            fields.append((_("Basis"), _("Exemption granted by an administrator")))
        elif certificate.exam_grade is not None:
            fields.append((_("Exam score"), f"{certificate.exam_grade:.0f} %"))
        version = operations.exam_version(certificate)
        if version:
            fields.append((_("Exam version"), version))
        fields.append((_("Verification code"), certificate.code))
        if certificate.is_exempt:
            paragraph = _(
                "%(name)s holds the certification “%(title)s” by exemption.",
                name=certificate.user.display_name,
                title=title,
            )
        else:
            paragraph = _(
                "%(name)s has completed the training and passed the exam of the "
                "certification “%(title)s”.",
                name=certificate.user.display_name,
                title=title,
            )
        paragraph += " " + _(
            "Scan the code or open the address below to check that this certificate is "
            "genuine and still valid."
        )
        document_title = _("Certificate: %(title)s", title=title)
    return build_pdf(
        title=document_title, fields=fields, paragraph=paragraph, qr_url=url, language=language
    )
