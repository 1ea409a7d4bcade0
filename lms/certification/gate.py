"""The certificate gate: who may pass a gate that a certification grants, and what to say.

A gate (``"workspace"``) is closed only when at least one certification grants it; then
a user passes with a valid certificate of any of them. Without such a certification the
gate stays open, so a site without training configured keeps working.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, g, has_request_context, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from content.auth.models import utcnow
from content.extensions import db
from content.gates import GateRefusal, denied_response
from content.i18n import _
from lms.certification import adapters, operations, requirements
from lms.certification.models import Certificate, Certification

F = TypeVar("F", bound=Callable[..., Any])


def _language(user) -> str:
    if has_request_context() and getattr(g, "lang_code", None):
        return g.lang_code
    return getattr(user, "locale", None) or "en"


def training_link(user, certification: Certification, language: str) -> tuple[str | None, str]:
    """Return ``(url, label)`` of the next step towards ``certification`` for ``user``.

    The first required module not completed, else the exam, else the user's certificates.
    """
    authenticated = getattr(user, "is_authenticated", False)
    completed = adapters.completed_module_groups(user) if authenticated else set()
    for group in certification.module_groups:
        if group not in completed:
            url = adapters.module_url(group, language)
            if url:
                return url, _("Go to the training")
    if certification.exam_quiz_group:
        url = adapters.quiz_url(certification.exam_quiz_group, language)
        if url:
            return url, _("Go to the exam")
    return url_for("certification.list_certificates", lang_code=language), _("My certificates")


def refusal(user, certification: Certification) -> GateRefusal:
    """Return the translated refusal naming ``certification`` with a link to the training."""
    language = _language(user)
    title = certification.title(language)
    previous = None
    if getattr(user, "is_authenticated", False):
        previous = operations.latest_certificate(user, certification)
    if previous is not None and operations.status(previous) == operations.EXPIRED:
        text = _(
            "Your certificate “%(title)s” has expired: retake the exam to renew it.", title=title
        )
    elif previous is not None and operations.status(previous) == operations.STATUS_REVOKED:
        text = _("Your certificate “%(title)s” was revoked: pass the training again.", title=title)
    else:
        missing = []
        if (
            getattr(user, "is_authenticated", False)
            and requirements.training_done(user, certification)[0]
        ):
            # Training and exam done: what a plugin still asks for (practice calls…).
            missing = requirements.missing_requirements(user, certification)
        if missing:
            reason = missing[0]
            return reason if isinstance(reason, GateRefusal) else GateRefusal(reason)
        text = _(
            "Complete the training “%(title)s” and pass its exam to receive the certificate.",
            title=title,
        )
    url, label = training_link(user, certification, language)
    return GateRefusal(text, link_url=url, link_label=label)


def access_refusal(user, gate: str) -> GateRefusal | None:
    """Return why ``user`` may not pass ``gate`` (no valid certificate granting it), or None.

    One query before every gated request: the certifications granting ``gate``, each with
    whether the user holds a valid certificate of it (not revoked, not expired), read at
    each request, so a revocation closes the gate at once on every host.
    """
    user_id = user.id if getattr(user, "is_authenticated", False) else None
    now = utcnow()
    holds = (
        select(Certificate.id)
        .where(
            Certificate.certification_id == Certification.id,
            Certificate.user_id == user_id,
            Certificate.revoked_dt.is_(None),
            or_(Certificate.expires_dt.is_(None), Certificate.expires_dt > now),
        )
        .exists()
    )
    granting = db.session.execute(
        select(Certification.id, holds)
        .where(Certification.grants_gate == gate)
        .order_by(Certification.id)
    ).all()
    if not granting or (user_id is not None and any(valid for _id, valid in granting)):
        return None
    return refusal(user, db.session.get(Certification, granting[0][0]))


def check_certificate(code: str) -> None:
    """Stop the request with the refusal page unless the user holds a valid ``code`` certificate.

    An unknown ``code`` refuses everyone (a typo must not open the view).
    """
    if operations.valid_certificate(current_user, code) is None:
        certification = operations.certification_by_code(code)
        if certification is None:
            abort(403)
        abort(denied_response([refusal(current_user, certification)]))


def require_certificate(code: str) -> Callable[[F], F]:
    """Decorate a view: only users with a valid certificate of certification ``code`` enter.

    Others get the 403 page naming the training with a link to it. For a whole blueprint:
    ``bp.before_request(functools.partial(check_certificate, code))``.
    """

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def gated(*args, **kwargs):
            check_certificate(code)
            return view(*args, **kwargs)

        return gated  # type: ignore[return-value]

    return decorate
