"""The outcome a learner gives a practice call (the real call's outcomes)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from content.i18n import _l
from tracing_app.calls.forms import OUTCOME_LABELS


class OutcomeForm(FlaskForm):
    """How the call ended; checked only when the learner completes the call."""

    outcome = RadioField(
        _l("Outcome of the call"),
        choices=[SelectChoice(value, label) for value, label in OUTCOME_LABELS.items()],
        validators=[InputRequired(message=_l("Choose the outcome of the call."))],
    )
