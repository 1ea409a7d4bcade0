"""Forms of the second factor: a code from the app, a recovery code, confirmations."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from content.i18n import _l

_CODE_FIELD = {"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}


class _SignInStepForm(FlaskForm):
    """A form of the sign-in step; the page has two, told apart by their code field."""

    CODE_FIELD = ""

    def code_field_name(self) -> str:
        """Return the name the code is sent under (with the form's prefix)."""
        return self._fields[self.CODE_FIELD].name


class CodeForm(_SignInStepForm):
    """A six-digit code from the authenticator app."""

    CODE_FIELD = "code"

    code = StringField(
        _l("Six-digit code"),
        validators=[DataRequired(), Length(max=12)],
        render_kw={**_CODE_FIELD, "pattern": "[0-9 ]*", "maxlength": "12"},
    )
    next = HiddenField()
    submit_code = SubmitField(_l("Continue"))


class RecoveryCodeForm(_SignInStepForm):
    """One of the recovery codes shown at enrolment."""

    CODE_FIELD = "recovery_code"

    recovery_code = StringField(
        _l("Recovery code"),
        validators=[DataRequired(), Length(max=40)],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"},
    )
    next = HiddenField()
    submit_recovery = SubmitField(_l("Use recovery code"))


class ConfirmTotpForm(FlaskForm):
    """The first code of a newly scanned authenticator app."""

    code = StringField(
        _l("Six-digit code from the app"),
        validators=[DataRequired(), Length(max=12)],
        render_kw={**_CODE_FIELD, "pattern": "[0-9 ]*", "maxlength": "12"},
    )
    submit_totp = SubmitField(_l("Confirm and turn on"))


class RenewCodesForm(FlaskForm):
    """Confirmation (CSRF only) to replace the recovery codes."""

    submit_renew = SubmitField(_l("Create new recovery codes"))
