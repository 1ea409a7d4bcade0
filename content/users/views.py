"""Request handling of the account administration."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.exceptions import NotFound

from content.auth.models import User
from content.auth.roles import registry, requires
from content.auth.second_factor import operations as second_factor
from content.extensions import db
from content.forms import attach_error
from content.i18n import _, language_names
from content.users import operations
from content.users.forms import ConfirmForm, NewUserForm, ResetPasswordForm, UserForm

PERMISSION = "users.manage"


def _fill_choices(form: UserForm) -> None:
    form.locale.choices = list(language_names().items())
    form.roles.choices = [(role.name, role.label) for role in registry().roles.values()]


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound
    return user


@requires(PERMISSION)
def list_users():
    """List every account with its roles and state."""
    return render_template("users/list.html", users=operations.list_users(), roles=registry().roles)


@requires(PERMISSION)
def create_user():
    """Create an account; on error the form comes back with what was typed."""
    form = NewUserForm()
    _fill_choices(form)
    if form.validate_on_submit():
        try:
            user = operations.create_user(
                form.email.data,
                form.password.data,
                display_name=form.display_name.data,
                roles=form.roles.data,
                locale=form.locale.data,
                actor=current_user._get_current_object(),
            )
        except operations.AccountError as exc:
            db.session.rollback()
            attach_error(form, exc)
        else:
            db.session.commit()
            flash(_("Account %(email)s created.", email=user.email), "success")
            return redirect(url_for("users.list_users"))
    status = 400 if form.is_submitted() else 200
    return render_template("users/create.html", form=form), status


@requires(PERMISSION)
def edit_user(user_id: int):
    """Change an account's name, language and roles; reset its password; (de)activate it."""
    user = _user_or_404(user_id)
    form = UserForm(obj=user, roles=sorted(user.role_names))
    _fill_choices(form)
    if form.validate_on_submit():
        try:
            operations.update_profile(
                user, display_name=form.display_name.data, locale=form.locale.data
            )
            operations.set_roles(user, form.roles.data, actor=current_user._get_current_object())
        except operations.AccountError as exc:
            db.session.rollback()
            attach_error(form, exc)
        else:
            db.session.commit()
            flash(_("Account %(email)s saved.", email=user.email), "success")
            return redirect(url_for("users.list_users"))
    status = 400 if form.is_submitted() else 200
    return _render_edit(user, form=form), status


def _render_edit(user: User, *, form: UserForm | None = None, password_form=None):
    """Render the account page; forms not being submitted are shown blank (formdata=None)."""
    if form is None:
        form = UserForm(formdata=None, obj=user, roles=sorted(user.role_names))
        _fill_choices(form)
    return render_template(
        "users/edit.html",
        user=user,
        form=form,
        password_form=password_form or ResetPasswordForm(formdata=None, prefix="reset"),
        confirm_form=ConfirmForm(formdata=None, prefix="confirm"),
        second_factors=second_factor.factors(user),
    )


@requires(PERMISSION)
def reset_password(user_id: int):
    """Set a new password for an account and sign it out everywhere."""
    user = _user_or_404(user_id)
    password_form = ResetPasswordForm(prefix="reset")
    if password_form.validate_on_submit():
        try:
            operations.set_password(
                user, password_form.password.data, actor=current_user._get_current_object()
            )
        except operations.AccountError as exc:
            db.session.rollback()
            password_form.password.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("New password set for %(email)s.", email=user.email), "success")
            return redirect(url_for("users.edit_user", user_id=user.id))
    return _render_edit(user, password_form=password_form), 400


@requires(PERMISSION)
def reset_second_factor(user_id: int):
    """Remove an account's second factors and sign it out everywhere (audited)."""
    user = _user_or_404(user_id)
    if ConfirmForm(prefix="confirm").validate_on_submit():
        second_factor.reset(user, actor=current_user._get_current_object())
        db.session.commit()
        flash(
            _(
                "The second factor of %(email)s is reset. They set up a new one at their"
                " next sign-in.",
                email=user.email,
            ),
            "success",
        )
    return redirect(url_for("users.edit_user", user_id=user.id))


@requires(PERMISSION)
def deactivate_user(user_id: int):
    """Stop an account from signing in; its open sessions end at once."""
    user = _user_or_404(user_id)
    if ConfirmForm(prefix="confirm").validate_on_submit():
        try:
            operations.deactivate(user, actor=current_user._get_current_object())
        except operations.AccountError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Account %(email)s deactivated.", email=user.email), "success")
    return redirect(url_for("users.edit_user", user_id=user.id))


@requires(PERMISSION)
def reactivate_user(user_id: int):
    """Let a deactivated account sign in again."""
    user = _user_or_404(user_id)
    if ConfirmForm(prefix="confirm").validate_on_submit():
        operations.reactivate(user)
        db.session.commit()
        flash(_("Account %(email)s reactivated.", email=user.email), "success")
    return redirect(url_for("users.edit_user", user_id=user.id))
