"""The filter form of the audit log screen (GET, nothing changes: no CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, SubmitField
from wtforms.validators import Email, Length, Optional

from content.i18n import _l


class AuditFilterForm(FlaskForm):
    """Who, which ticket, which action, which days."""

    class Meta:
        """Reading needs no CSRF token (GET, no change)."""

        csrf = False

    actor = StringField(
        _l("User (e-mail address)"), validators=[Optional(), Email(), Length(max=254)]
    )
    reference = StringField(_l("Ticket reference"), validators=[Optional(), Length(max=40)])
    action = SelectField(_l("Action"), validators=[Optional()])
    date_from = DateField(_l("From (UTC)"), validators=[Optional()])
    date_to = DateField(_l("To (UTC)"), validators=[Optional()])
    submit = SubmitField(_l("Filter"))
