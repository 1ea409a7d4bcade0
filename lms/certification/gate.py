"""The certificate gate: who may pass a gate that a certification grants, and what to say.

A gate (``"workspace"``) is closed only when at least one certification grants it; then
a user passes with a valid certificate of any of them. Without such a certification the
gate stays open, so a site without training configured keeps working.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from flask import abort, current_app, g, has_request_context, url_for
from flask_login import current_user
from sqlalchemy import and_, or_, select

from content.auth.models import utcnow
from content.extensions import db
from content.gates import GateRefusal, denied_response
from content.i18n import _
from content.items.page_cache import bump_version_on_flush, page_cache
from lms.certification import adapters, operations, requirements
from lms.certification.models import Certificate, Certification

F = TypeVar("F", bound=Callable[..., Any])

PASSES = "lms.gate_passes"


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


class GatePasses:
    """Who passed which gate, per process, while the content version holds (lms.certification).

    A pass is kept with the content version (and page cache generation) it was decided at
    and the time it stops being valid by itself (the expiry of the user's last valid
    certificate). Every change of what the gate decides bumps the content version in its own
    transaction (:func:`watch_changes`), and each process re-reads the version at most once
    per ``PAGE_CACHE_CHECK_SECONDS``: a revocation closes the gate on every host within that
    time (one second), not at once. Refusals are never kept: a certificate just earned
    opens the gate at the next request.
    """

    #: Passes kept at most (one per active user and gate); past it, all are forgotten.
    SIZE = 50_000

    def __init__(self) -> None:
        """Start with no pass."""
        self._stamp: tuple[int, int] | None = None
        self._passes: dict[tuple[int | None, str], datetime | None] = {}
        self._lock = threading.Lock()

    def passes(self, user_id: int | None, gate: str, now: datetime, stamp: tuple[int, int]) -> bool:
        """Return whether a pass of ``user_id`` through ``gate`` is kept and still valid.

        :param stamp: the current content version and page cache generation (:func:`stamp`).
        """
        with self._lock:
            if stamp != self._stamp:
                return False
            key = (user_id, gate)
            if key not in self._passes:
                return False
            until = self._passes[key]
            return until is None or now < until

    def keep(
        self, user_id: int | None, gate: str, until: datetime | None, stamp: tuple[int, int]
    ) -> None:
        """Keep a pass valid until ``until`` (None: no end), decided at ``stamp``.

        ``stamp`` must have been read before the decision: a change committed in between
        then makes the pass stale, instead of a pass decided before it looking current.
        """
        with self._lock:
            if stamp != self._stamp or len(self._passes) >= self.SIZE:
                self._passes = {}
                self._stamp = stamp
            self._passes[(user_id, gate)] = until


def stamp() -> tuple[int, int]:
    """Return the content version and page cache generation that kept passes depend on."""
    pages = page_cache()
    return pages.version(), pages.generation  # a cleared page cache forgets the passes too


def gate_passes() -> GatePasses:
    """Return the app's kept gate passes (made on first use)."""
    passes = current_app.extensions.get(PASSES)
    if passes is None:
        passes = current_app.extensions.setdefault(PASSES, GatePasses())
    return passes


def access_refusal(user, gate: str) -> GateRefusal | None:
    """Return why ``user`` may not pass ``gate`` (no valid certificate granting it), or None.

    Decided by one query, the certifications granting ``gate`` each with the user's valid
    certificates (not revoked, not expired), and a pass is then kept per process until the
    content version changes or the last of those certificates expires (:class:`GatePasses`).
    Issuing, revoking or exempting a certificate, or changing a certification, bumps that
    version in the same transaction: a revocation closes the gate on every host within
    ``PAGE_CACHE_CHECK_SECONDS`` (docs/decisions.md).
    """
    user_id = user.id if getattr(user, "is_authenticated", False) else None
    now = utcnow()
    passes = gate_passes()
    decided_at = stamp()  # before the query (see GatePasses.keep)
    if passes.passes(user_id, gate, now, decided_at):
        return None
    valid = and_(
        Certificate.certification_id == Certification.id,
        Certificate.user_id == user_id,
        Certificate.revoked_dt.is_(None),
        or_(Certificate.expires_dt.is_(None), Certificate.expires_dt > now),
    )
    granting = db.session.execute(
        select(Certification.id, Certificate.id, Certificate.expires_dt)
        .outerjoin(Certificate, valid)
        .where(Certification.grants_gate == gate)
        .order_by(Certification.id)
    ).all()
    held = [expires for _id, certificate_id, expires in granting if certificate_id is not None]
    if not granting or (user_id is not None and held):
        # Open until the last valid certificate expires (never, if one does not).
        until = None if not held or None in held else max(held)
        passes.keep(user_id, gate, until, decided_at)
        return None
    return refusal(user, db.session.get(Certification, granting[0][0]))


def watch_changes() -> None:
    """Bump the content version whenever a flush changes a certificate or certification.

    What the gate decides depends on them only (revocation, exemption, expiry date, the
    gate a certification grants; a new certificate only opens it): kept passes are then
    stale on every host within ``PAGE_CACHE_CHECK_SECONDS``, and the bump commits or rolls
    back with the change.
    """
    # A new certificate can only open a gate (refusals are not kept, and a pass ending
    # earlier than needed is only decided again): issuing costs no bump.
    bump_version_on_flush(new=(Certification,), changed=(Certificate, Certification))


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
