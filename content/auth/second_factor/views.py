"""Request handling of the second factor: the sign-in step, enrolment, recovery codes."""

from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from content.auth.roles import AUTHENTICATED, before_second_factor, requires
from content.auth.second_factor import operations, recovery
from content.auth.second_factor.forms import (
    CodeForm,
    ConfirmTotpForm,
    RecoveryCodeForm,
    RenewCodesForm,
)
from content.auth.second_factor.models import TOTP, WEBAUTHN
from content.auth.second_factor.webauthn_keys import CeremonyError
from content.extensions import db
from content.i18n import _, ngettext
from content.security import safe_next_url


def _user():
    return current_user._get_current_object()


def _wait_message(seconds: int) -> str:
    minutes = -(-seconds // 60)
    return ngettext(
        "Too many failed attempts. Try again in %(num)d minute.",
        "Too many failed attempts. Try again in %(num)d minutes.",
        minutes,
    )


def _done(next_url: str | None):
    return safe_next_url(next_url) or url_for("site.dashboard", lang_code=_user().locale)


@requires(AUTHENTICATED)
@before_second_factor
def challenge():
    """Ask a half-signed-in session for a code, a security key or a recovery code."""
    user = _user()
    if not operations.session_pending(user):
        return redirect(_done(request.args.get("next")))
    if not operations.has_factor(user):
        # The role needs a second factor and none is enrolled: enrol first.
        return redirect(url_for("second_factor.manage"))
    next_url = request.args.get("next", "")
    code_form = CodeForm(next=next_url, prefix="totp")
    recovery_form = RecoveryCodeForm(next=next_url, prefix="recovery")
    status = 200
    for form, field, text in (
        (code_form, code_form.code, _("This code is not correct or was already used.")),
        (recovery_form, recovery_form.recovery_code, _("This recovery code is not valid.")),
    ):
        # Two forms on one page: only the one that was sent is checked.
        if form.code_field_name() not in request.form or not form.validate_on_submit():
            continue
        result = operations.check_code(user, field.data, request.remote_addr or "")
        db.session.commit()
        if result.ok:
            return redirect(_done(form.next.data))
        field.errors.append(_wait_message(result.wait_seconds) if result.wait_seconds else text)
        field.data = ""
        status = 429 if result.wait_seconds else 400
    if request.method == "POST" and status == 200:
        status = 400
    return render_template(
        "second_factor/challenge.html",
        code_form=code_form,
        recovery_form=recovery_form,
        has_totp=bool(operations.factors(user, TOTP)),
        has_keys=bool(operations.factors(user, WEBAUTHN)),
        next_url=next_url,
    ), status


@requires(AUTHENTICATED)
@before_second_factor
def key_options():
    """Return the WebAuthn options to sign in with one of the user's security keys."""
    user = _user()
    if not operations.session_pending(user):
        return jsonify(error="not-pending"), 409
    response = _json_text(operations.webauthn_options(user))
    db.session.commit()
    return response


@requires(AUTHENTICATED)
@before_second_factor
def check_key():
    """Check the security key's answer; on success the session is fully signed in."""
    user = _user()
    if not operations.session_pending(user):
        return jsonify(error="not-pending"), 409
    result = operations.check_webauthn(
        user, request.get_data(as_text=True), request.remote_addr or ""
    )
    db.session.commit()
    if result.ok:
        return jsonify(redirect=_done(request.args.get("next")))
    message = (
        _wait_message(result.wait_seconds)
        if result.wait_seconds
        else _("The security key was not accepted.")
    )
    return jsonify(error=message), 429 if result.wait_seconds else 400


def _json_text(options_json: str):
    """Return ready-made JSON text as a response."""
    return current_app.response_class(options_json, mimetype="application/json")


def _may_enrol(user) -> bool:
    """A session that owes a factor may enrol only while the user has none (first login).

    Otherwise whoever holds only the password could add their own factor.
    """
    return not operations.session_pending(user) or not operations.has_factor(user)


@requires(AUTHENTICATED)
@before_second_factor
def manage():
    """Show the user's second factors; set up an authenticator app."""
    user = _user()
    if not _may_enrol(user):
        return redirect(url_for("second_factor.challenge"))
    form = ConfirmTotpForm(prefix="totp")
    status = 200
    has_totp = bool(operations.factors(user, TOTP))
    if not has_totp and form.validate_on_submit():
        codes = operations.confirm_totp(user, form.code.data)
        if codes is not None:
            db.session.commit()
            flash(_("Your authenticator app is set up."), "success")
            if codes:
                return render_template("second_factor/recovery_codes.html", codes=codes)
            return redirect(url_for("second_factor.manage"))
        form.code.errors.append(_("This code is not correct. Check the time on your phone."))
        form.code.data = ""
    if request.method == "POST":
        status = 400
    secret = None
    qr = None
    if not has_totp:
        _factor, secret = operations.pending_totp(user)
        qr = operations.totp_qr(user, secret)
    db.session.commit()
    return render_template(
        "second_factor/manage.html",
        form=form,
        secret=secret,
        qr=qr,
        factors=operations.factors(user),
        required=operations.required_for(user),
        pending=operations.session_pending(user),
        recovery_left=recovery.remaining(user),
        renew_form=RenewCodesForm(formdata=None, prefix="renew"),
    ), status


@requires(AUTHENTICATED)
@before_second_factor
def register_options():
    """Return the WebAuthn options to register a new security key."""
    user = _user()
    if not _may_enrol(user):
        return jsonify(error="not-allowed"), 403
    response = _json_text(operations.webauthn_registration_options(user))
    db.session.commit()
    return response


@requires(AUTHENTICATED)
@before_second_factor
def register_key():
    """Register the security key the browser created."""
    user = _user()
    if not _may_enrol(user):
        return jsonify(error="not-allowed"), 403
    try:
        operations.add_webauthn_key(user, request.get_data(as_text=True), _("Security key"))
    except CeremonyError:
        db.session.rollback()
        return jsonify(error=_("The security key could not be registered.")), 400
    db.session.commit()
    flash(_("Your security key is registered."), "success")
    return jsonify(redirect=url_for("second_factor.manage"))


@requires(AUTHENTICATED)
def renew_recovery_codes():
    """Replace the recovery codes and show the new ones once."""
    user = _user()
    if not (RenewCodesForm(prefix="renew").validate_on_submit() and operations.has_factor(user)):
        return redirect(url_for("second_factor.manage"))
    codes = operations.renew_recovery_codes(user)
    db.session.commit()
    return render_template("second_factor/recovery_codes.html", codes=codes)
