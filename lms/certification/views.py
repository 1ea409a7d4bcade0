"""Request handling of certification: learners' certificates, verification, administration."""

from __future__ import annotations

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from content.auth.models import User
from content.auth.roles import AUTHENTICATED, PUBLIC, requires
from content.extensions import db
from content.i18n import _, _l, language_name
from content.items.models import ContentItem
from content.items.operations import latest
from content.users.operations import AccountError, normalise_email
from lms.certification import adapters, gate, operations
from lms.certification.forms import CertificationForm, ExemptionForm, ReasonForm, RetakeForm
from lms.certification.models import (
    EXEMPTED,
    ISSUED,
    PRINTED,
    RETAKE,
    REVOKED,
    Certificate,
    Certification,
)
from lms.certification.pdf import certificate_pdf, verification_url

MANAGE = "lms.manage_certificates"

STATUS_LABELS = {
    operations.VALID: _l("valid"),
    operations.EXPIRED: _l("expired"),
    operations.STATUS_REVOKED: _l("revoked"),
}
EVENT_LABELS = {
    ISSUED: _l("issued"),
    EXEMPTED: _l("exemption granted"),
    REVOKED: _l("revoked"),
    RETAKE: _l("retake started"),
    PRINTED: _l("PDF downloaded"),
}


def template_context() -> dict:
    """Template context of the certification pages."""
    return {
        "status_of": operations.status,
        "status_labels": STATUS_LABELS,
        "event_labels": EVENT_LABELS,
        "expires_soon": operations.expires_soon,
        "exam_version": operations.exam_version,
    }


# ---------------------------------------------------------------- learners


@requires(AUTHENTICATED)
def list_certificates():
    """The signed-in user's certificates, and the certifications still to earn."""
    certificates = operations.user_certificates(current_user)
    held = {cert.certification_id for cert in certificates}
    to_earn = [
        (certification, gate.training_link(current_user, certification, g.lang_code)[0])
        for certification in operations.list_certifications()
        if certification.id not in held
    ]
    return render_template(
        "certification/my_certificates.html",
        certificates=certificates,
        to_earn=to_earn,
        current={cert.id for cert in operations.current_certificates(current_user)},
        may_retake=operations.may_retake,
        retake_form=RetakeForm(),
        verification_url=verification_url,
    )


def _visible_certificate(certificate_id: int) -> Certificate:
    """Return a certificate the user holds (or manages); others' are 404, not 403."""
    certificate = db.get_or_404(Certificate, certificate_id)
    if certificate.user_id != current_user.id and not current_user.can(MANAGE):
        abort(404)
    return certificate


@requires(AUTHENTICATED)
def download_certificate(certificate_id: int):
    """The certificate as a PDF in the holder's language (recorded as printed)."""
    certificate = _visible_certificate(certificate_id)
    body = certificate_pdf(certificate)
    operations.record_print(certificate, actor=current_user)
    db.session.commit()
    name = f"certificate-{certificate.certification.code}-{certificate.id}.pdf"
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@requires(AUTHENTICATED)
def retake_exam(certificate_id: int):
    """Start recertification: the holder's exam attempts are archived, the exam opens."""
    certificate = db.get_or_404(Certificate, certificate_id)
    if certificate.user_id != current_user.id:
        abort(404)
    form = RetakeForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        operations.start_recertification(certificate, actor=current_user)
    except operations.CertificationError as exc:
        flash(str(exc), "error")
        return redirect(url_for("certification.list_certificates"))
    db.session.commit()
    flash(_("Your earlier attempts are archived: the exam starts afresh."), "success")
    exam = adapters.quiz_url(certificate.certification.exam_quiz_group, g.lang_code)
    return redirect(exam or url_for("certification.list_certificates"))


@requires(PUBLIC)
def verify_certificate(code: str):
    """The public verification page of a certificate (holder, dates, status, exam version)."""
    certificate = operations.certificate_by_code(code)
    if certificate is None:
        abort(404)
    response = Response(
        render_template(
            "certification/verify.html",
            certificate=certificate,
            status=operations.status(certificate),
        )
    )
    # A holder's name behind an unguessable link: keep it out of search engines and caches.
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# ---------------------------------------------------------------- administrators


def _group_choices(item_type: str, language: str) -> list[tuple[str, str]]:
    """Return ``(translation group, title)`` of the modules or quizzes, titled in ``language``."""
    members: dict[str, ContentItem] = {}
    for item in db.session.scalars(
        select(ContentItem).where(ContentItem.type == item_type).order_by(ContentItem.id)
    ):
        if item.translation_group not in members or item.language == language:
            members[item.translation_group] = item
    # A title in another language says which (by name): the reader may not know the code.
    choices = [
        (
            group,
            latest(item).title
            if item.language == language
            else f"{latest(item).title} ({language_name(item.language)})",
        )
        for group, item in members.items()
    ]
    return sorted(choices, key=lambda choice: choice[1].lower())


def _certification_form(certification: Certification | None) -> CertificationForm:
    form = CertificationForm(obj=certification)
    if certification is not None and request.method == "GET":
        for language, title in certification.titles.items():
            if hasattr(form, f"title_{language}"):
                getattr(form, f"title_{language}").data = title
        form.module_groups.data = certification.module_groups
        form.exam_quiz_group.data = certification.exam_quiz_group or ""
        form.grants_gate.data = certification.grants_gate or ""
    form.module_groups.choices = _group_choices("module", g.lang_code)
    form.exam_quiz_group.choices = [("", _("No exam")), *_group_choices("quiz", g.lang_code)]
    return form


def _save_certification(form: CertificationForm, certification: Certification | None):
    fields = {
        "titles": form.titles(),
        "module_groups": form.module_groups.data or [],
        "exam_quiz_group": form.exam_quiz_group.data or None,
        "min_score_percent": form.min_score_percent.data,
        "validity_days": form.validity_days.data,
        "warn_days": form.warn_days.data,
        "grants_gate": form.grants_gate.data or None,
    }
    if certification is None:
        return operations.create_certification(form.code.data, **fields)
    certification.code = form.code.data
    return operations.update_certification(certification, **fields)


def _edit(certification: Certification | None):
    form = _certification_form(certification)
    if form.validate_on_submit():
        other = operations.certification_by_code(form.code.data)
        if other is not None and other is not certification:
            form.code.errors.append(_("Another certification has this code."))
        else:
            _save_certification(form, certification)
            db.session.commit()
            flash(_("Certification saved."), "success")
            return redirect(url_for("certification.manage_certifications"))
    return render_template(
        "certification/edit_certification.html", form=form, certification=certification
    )


@requires(MANAGE)
def manage_certifications():
    """The certifications: what each requires and grants."""
    return render_template(
        "certification/certifications.html", certifications=operations.list_certifications()
    )


@requires(MANAGE)
def new_certification():
    """Create a certification."""
    return _edit(None)


@requires(MANAGE)
def edit_certification(certification_id: int):
    """Change what a certification requires and grants."""
    return _edit(db.get_or_404(Certification, certification_id))


@requires(MANAGE)
def manage_certificates():
    """Every certificate, optionally of one certification, with revocation links."""
    certification = None
    if request.args.get("certification", type=int):
        certification = db.get_or_404(Certification, request.args.get("certification", type=int))
    return render_template(
        "certification/certificates.html",
        certificates=operations.list_certificates(certification),
        certification=certification,
        certifications=operations.list_certifications(),
    )


@requires(MANAGE)
def revoke_certificate(certificate_id: int):
    """Revoke a certificate, with the reason (recorded)."""
    certificate = db.get_or_404(Certificate, certificate_id)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            operations.revoke(certificate, actor=current_user, reason=form.reason.data)
        except operations.CertificationError as exc:
            form.reason.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Certificate revoked."), "success")
            return redirect(url_for("certification.manage_certificates"))
    return render_template("certification/revoke.html", form=form, certificate=certificate)


@requires(MANAGE)
def grant_exemption():
    """Grant someone a certificate without training or exam, with the reason (recorded)."""
    form = ExemptionForm()
    form.certification_id.choices = [
        (c.id, c.title(g.lang_code)) for c in operations.list_certifications()
    ]
    if form.validate_on_submit():
        try:
            email = normalise_email(form.email.data)
        except AccountError:
            email = None
        user = db.session.scalar(select(User).where(User.email == email)) if email else None
        if user is None:
            form.email.errors.append(_("No account has this email address."))
        else:
            certification = db.get_or_404(Certification, form.certification_id.data)
            operations.grant_exemption(
                user, certification, actor=current_user, reason=form.reason.data
            )
            db.session.commit()
            flash(_("Exemption granted."), "success")
            return redirect(url_for("certification.manage_certificates"))
    return render_template("certification/exemption.html", form=form)


@requires(MANAGE)
def list_events():
    """What happened to certificates, newest first (who and why)."""
    return render_template("certification/events.html", events=operations.list_events())
