"""Forms of the API client administration."""

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from content.i18n import _l


class ScopesField(SelectMultipleField):
    """Scopes as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ClientForm(FlaskForm):
    """A new API client: its name and scopes."""

    name = StringField(_l("Client name"), validators=[DataRequired(), Length(max=100)])
    scopes = ScopesField(_l("Scopes"))
    submit = SubmitField(_l("Create client and token"))


class RevokeForm(FlaskForm):
    """The revoke button (CSRF-protected)."""

    submit = SubmitField(_l("Revoke"))
