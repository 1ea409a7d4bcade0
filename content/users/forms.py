"""Forms of the account administration."""

from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from content.i18n import _l


class RolesField(SelectMultipleField):
    """Roles as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserForm(FlaskForm):
    """Name, language and roles of an account."""

    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    locale = SelectField(_l("Language"))
    roles = RolesField(_l("Roles"))
    submit = SubmitField(_l("Save"))


class NewUserForm(UserForm):
    """A new account: also its e-mail address and first password."""

    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Initial password"), validators=[DataRequired()])
    submit = SubmitField(_l("Create account"))


class ResetPasswordForm(FlaskForm):
    """A new password set by an administrator."""

    password = PasswordField(_l("New password"), validators=[DataRequired()])
    submit = SubmitField(_l("Set password"))


class ConfirmForm(FlaskForm):
    """An action button with nothing to fill in (CSRF-protected)."""

    submit = SubmitField()
