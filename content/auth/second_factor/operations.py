"""Rules of the second factor: who needs one, enrolment, checking codes and keys, reset.

A login session is fully signed in only after the second factor
(``AuthSession.second_factor_state``); until then the access check lets it reach only
the second-factor pages and logout. No code, secret or e-mail address is ever logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app, g
from sqlalchemy import delete, or_, select, update

from content import signals
from content.auth import throttle
from content.auth.models import AuthSession, User, utcnow
from content.auth.second_factor import recovery, sealing, totp, webauthn_keys
from content.auth.second_factor.models import TOTP, WEBAUTHN, RecoveryCode, SecondFactor
from content.auth.sessions import (
    SECOND_FACTOR_PENDING,
    SECOND_FACTOR_VERIFIED,
    end_all_sessions,
    owes_second_factor,
    second_factor_required,
)
from content.extensions import db

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckResult:
    """What came of a second-factor try; ``wait_seconds`` is set when throttled."""

    ok: bool
    wait_seconds: int = 0


def required_for(user: User) -> bool:
    """Return whether one of the user's roles must use a second factor (settings)."""
    return second_factor_required(user)


def factors(user: User, kind: str | None = None) -> list[SecondFactor]:
    """Return the user's confirmed second factors (of one kind when given)."""
    query = select(SecondFactor).where(
        SecondFactor.user_id == user.id, SecondFactor.confirmed_dt.is_not(None)
    )
    if kind:
        query = query.where(SecondFactor.kind == kind)
    return list(db.session.scalars(query.order_by(SecondFactor.id)))


def has_factor(user: User) -> bool:
    """Return whether the user has enrolled a second factor."""
    return bool(factors(user))


def start(auth_session: AuthSession, user: User) -> None:
    """At login: ask for a second factor when the user has one or their role needs one."""
    if required_for(user) or has_factor(user):
        auth_session.second_factor_state = SECOND_FACTOR_PENDING


def session_pending(user: User) -> bool:
    """Return whether the current session still owes its second factor."""
    auth_session = g.get("auth_session")
    if auth_session is None or auth_session.user_id != user.id:
        return False
    return owes_second_factor(auth_session, user)


def _mark_verified(user: User, method: str) -> None:
    auth_session = g.get("auth_session")
    if auth_session is not None:
        auth_session.second_factor_state = SECOND_FACTOR_VERIFIED
    signals.second_factor_used.send(current_app._get_current_object(), user=user, method=method)
    logger.info("User %s gave a second factor (%s)", user.id, method)


# --- TOTP enrolment ------------------------------------------------------------------


def pending_totp(user: User) -> tuple[SecondFactor, str]:
    """Return the user's unconfirmed TOTP factor and its secret, creating it if needed."""
    factor = db.session.scalar(
        select(SecondFactor).where(
            SecondFactor.user_id == user.id,
            SecondFactor.kind == TOTP,
            SecondFactor.confirmed_dt.is_(None),
        )
    )
    if factor is None:
        secret = totp.new_secret()
        factor = SecondFactor(
            user_id=user.id,
            kind=TOTP,
            label="TOTP",
            sealed_secret=sealing.seal(secret.encode(), user_id=user.id),
        )
        db.session.add(factor)
        db.session.flush()
        return factor, secret
    return factor, sealing.unseal(factor.sealed_secret, user_id=user.id).decode()


def totp_uri(user: User, secret: str) -> str:
    """Return the ``otpauth://`` URI of the user's secret, named after the site."""
    return totp.provisioning_uri(secret, account=user.email, issuer=current_app.config["SITE_NAME"])


def totp_qr(user: User, secret: str) -> str:
    """Return the QR code (inline SVG) that an authenticator app scans."""
    return totp.qr_svg(totp_uri(user, secret))


def confirm_totp(user: User, code: str) -> list[str] | None:
    """Confirm the pending TOTP factor with a code from the app.

    :return: new recovery codes when this is the user's first factor, ``[]`` when they
        have codes already, None when the code is wrong.
    """
    factor, secret = pending_totp(user)
    step = totp.matching_step(secret, code, after_step=None)
    if step is None:
        return None
    first = not has_factor(user)
    factor.confirmed_dt = utcnow()
    factor.last_used_step = step
    return _enrolled(user, factor, first)


def webauthn_registration_options(user: User) -> str:
    """Return the options that ask the browser to create a security key for the user."""
    return webauthn_keys.registration_options(user, factors(user, WEBAUTHN))


def add_webauthn_key(user: User, answer: str, label: str) -> list[str]:
    """Register a security key from the browser's answer (``CeremonyError`` if it fails).

    Recovery codes are not made here (the answer is JSON, nothing shows them): the
    account page offers to create them while the user has none.
    """
    credential_id, public_key, sign_count = webauthn_keys.verify_registration(answer)
    factor = SecondFactor(
        user_id=user.id,
        kind=WEBAUTHN,
        label=label or "WebAuthn",
        credential_id=credential_id,
        public_key=public_key,
        sign_count=sign_count,
        confirmed_dt=utcnow(),
    )
    db.session.add(factor)
    return _enrolled(user, factor, first=False)


def _enrolled(user: User, factor: SecondFactor, first: bool) -> list[str]:
    db.session.flush()
    codes = recovery.renew(user) if first else []
    signals.second_factor_enrolled.send(
        current_app._get_current_object(), user=user, kind=factor.kind
    )
    logger.info("User %s enrolled a second factor (%s)", user.id, factor.kind)
    # Enrolling proves the new factor: a session that owed one is now fully signed in.
    auth_session = g.get("auth_session")
    if auth_session is not None and auth_session.second_factor_state != SECOND_FACTOR_VERIFIED:
        auth_session.second_factor_state = SECOND_FACTOR_VERIFIED
    return codes


# --- Checking a second factor at sign-in ---------------------------------------------


def _throttled(user: User, address: str) -> throttle.Attempt:
    return throttle.begin_attempt(f"user:{user.id}", address, kind="second-factor")


def _refused(user: User, attempt: throttle.Attempt) -> CheckResult:
    reason = "throttled" if attempt.wait_seconds else "code"
    signals.second_factor_failed.send(current_app._get_current_object(), user=user, reason=reason)
    logger.info("Second factor refused for user %s (%s)", user.id, reason)
    return CheckResult(ok=False, wait_seconds=attempt.wait_seconds)


def _totp_match(user: User, code: str) -> tuple[int, int] | None:
    """Return the factor and time step a code belongs to, unused so far; read only."""
    for factor in factors(user, TOTP):
        secret = sealing.unseal(factor.sealed_secret, user_id=user.id).decode()
        step = totp.matching_step(secret, code, after_step=factor.last_used_step)
        if step is not None:
            return factor.id, step
    return None


def _claim_totp(factor_id: int, step: int) -> bool:
    """Store the used step with a conditional UPDATE: of two racing uses, one wins."""
    taken = db.session.execute(
        update(SecondFactor)
        .where(
            SecondFactor.id == factor_id,
            or_(SecondFactor.last_used_step.is_(None), SecondFactor.last_used_step < step),
        )
        .values(last_used_step=step, last_used_dt=utcnow())
        .execution_options(synchronize_session=False)
    )
    return taken.rowcount == 1


def check_code(user: User, code: str, address: str) -> CheckResult:
    """Check a TOTP code or a recovery code, counted by the throttle like a password.

    The code is matched first (reads only) and the throttle told before anything is
    written: the failure store may use its own connection, and on SQLite it must not
    wait for this session's write lock.
    """
    attempt = _throttled(user, address)
    if attempt.wait_seconds:
        return _refused(user, attempt)
    match = _totp_match(user, code)
    recovery_id = None if match else recovery.find(user, code)
    if match is None and recovery_id is None:
        return _refused(user, attempt)
    throttle.succeeded(attempt)
    if match is not None:
        method, claimed = TOTP, _claim_totp(*match)
    else:
        method, claimed = "recovery-code", recovery.claim(recovery_id)
    if not claimed:  # a parallel request used it first
        return _refused(user, attempt)
    _mark_verified(user, method)
    return CheckResult(ok=True)


def webauthn_options(user: User) -> str:
    """Return the options that ask the browser to sign with one of the user's keys."""
    return webauthn_keys.authentication_options(factors(user, WEBAUTHN))


def check_webauthn(user: User, answer: str, address: str) -> CheckResult:
    """Check a security key's signature, counted by the throttle like a password."""
    attempt = _throttled(user, address)
    if attempt.wait_seconds:
        return _refused(user, attempt)
    try:
        key = webauthn_keys.verify_authentication(answer, factors(user, WEBAUTHN))
    except webauthn_keys.CeremonyError:
        return _refused(user, attempt)
    key.last_used_dt = utcnow()
    throttle.succeeded(attempt)
    _mark_verified(user, WEBAUTHN)
    return CheckResult(ok=True)


# --- Recovery codes and reset ---------------------------------------------------------


def renew_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes (the old ones stop working)."""
    return recovery.renew(user)


def reset(user: User, *, actor: User | None) -> None:
    """Remove every second factor and recovery code of a user and end their sessions.

    The user enrols again at the next sign-in (when their role requires it).
    """
    db.session.execute(delete(SecondFactor).where(SecondFactor.user_id == user.id))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    end_all_sessions(user)
    signals.second_factor_reset.send(current_app._get_current_object(), user=user, actor=actor)
    logger.info("Second factors of user %s reset by %s", user.id, actor.id if actor else "cli")
