"""Request handling for signing in and out and for one's own account."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from content.auth import passwords
from content.auth.forms import ChangePasswordForm, LoginForm, ProfileForm
from content.auth.operations import log_in
from content.auth.roles import AUTHENTICATED, PUBLIC, before_second_factor, requires
from content.auth.sessions import end_session, start_session
from content.extensions import db
from content.i18n import _, language_names, ngettext
from content.security import safe_next_url
from content.users import operations as accounts


@requires(PUBLIC)
def login():
    """Show the login form; sign in and go to ``next`` or the dashboard."""
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next_url(form.next.data) or url_for("site.dashboard"))
    status = 200
    if form.validate_on_submit():
        result = log_in(form.email.data, form.password.data, request.remote_addr or "")
        if result.ok:
            db.session.commit()
            target = safe_next_url(form.next.data) or url_for(
                "site.dashboard", lang_code=result.user.locale
            )
            return redirect(target)
        db.session.commit()
        if result.wait_seconds:
            minutes = -(-result.wait_seconds // 60)
            form.form_errors.append(
                ngettext(
                    "Too many failed attempts. Try again in %(num)d minute.",
                    "Too many failed attempts. Try again in %(num)d minutes.",
                    minutes,
                )
            )
            status = 429
        else:
            # One message for unknown account, wrong password and deactivated account.
            form.form_errors.append(_("The e-mail address or password is not correct."))
            status = 401
        form.password.data = ""
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@requires(AUTHENTICATED)
@before_second_factor
def logout():
    """End the session on the server and in the browser."""
    end_session()
    db.session.commit()
    flash(_("You are signed out."), "success")
    return redirect(url_for("auth.login"))


@requires(AUTHENTICATED)
def account():
    """Let the user change their name, language and password."""
    profile = ProfileForm(obj=current_user, prefix="profile")
    profile.locale.choices = list(language_names().items())
    password_form = ChangePasswordForm(prefix="password")
    status = 200
    if profile.submit_profile.data and profile.validate_on_submit():
        accounts.update_profile(
            current_user, display_name=profile.display_name.data, locale=profile.locale.data
        )
        db.session.commit()
        flash(_("Your settings are saved."), "success")
        return redirect(url_for("auth.account", lang_code=current_user.locale))
    if password_form.submit_password.data and password_form.validate_on_submit():
        if not passwords.verify_password(
            current_user.password_hash, password_form.current_password.data
        ):
            password_form.current_password.errors.append(_("This is not your current password."))
            status = 400
        else:
            try:
                accounts.set_password(
                    current_user, password_form.new_password.data, actor=current_user
                )
            except accounts.AccountError as exc:
                password_form.new_password.errors.append(str(exc))
                status = 400
            else:
                # The change ended every session, this one included: open a fresh one,
                # which keeps the second factor this session gave.
                previous = g.get("auth_session")
                fresh = start_session(current_user._get_current_object())
                fresh.second_factor_state = previous.second_factor_state if previous else None
                db.session.commit()
                flash(_("Your password is changed. Other sessions were signed out."), "success")
                return redirect(url_for("auth.account"))
    if request.method == "POST" and status == 200:
        status = 400
    return render_template(
        "auth/account.html", profile=profile, password_form=password_form
    ), status
