"""Forms of the legal-hold page."""

from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from content.i18n import _l
from tracing_app.retention.holds import MAX_REASON


class PlaceHoldForm(FlaskForm):
    """Put the ticket on hold, with the reason (a case or file number, no personal data)."""

    reason = TextAreaField(
        _l("Reason"),
        description=_l("A case or file number, a court order… Never personal data."),
        validators=[
            InputRequired(message=_l("Give the reason for the hold.")),
            Length(max=MAX_REASON, message=_l("At most %(max)d characters.", max=MAX_REASON)),
        ],
    )
    submit = SubmitField(_l("Put on legal hold"))


class ReleaseHoldForm(FlaskForm):
    """Release the hold: the ticket is purged again once its retention expired."""

    submit = SubmitField(_l("Release the hold"))
