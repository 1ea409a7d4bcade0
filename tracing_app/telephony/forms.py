"""The screen pop's form: the caller's number as the telephony gave it."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from content.i18n import _l

_CALL_ID = Regexp(r"^[A-Za-z0-9._:@-]*$", message=_l("This call id has characters it may not."))


class ScreenPopForm(FlaskForm):
    """Who calls (any usual spelling of a number), and the telephony's call id."""

    caller = StringField(
        _l("Caller's number"),
        validators=[InputRequired(message=_l("Give the caller's number.")), Length(max=40)],
    )
    call_id = HiddenField(validators=[Optional(), Length(max=100), _CALL_ID])
    dialled = HiddenField(validators=[Optional(), Length(max=40)])
    #: The ticket chosen when several tickets have the number.
    ticket = HiddenField(validators=[Optional(), Length(max=40)])
    submit = SubmitField(_l("Take the call"))
