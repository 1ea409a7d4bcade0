"""Forms of call lists: campaign settings, imports, and the outcome of a call."""

from __future__ import annotations

from flask import g, request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from flask_wtf.form import SUBMIT_METHODS
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import TextInput

from content.i18n import _l
from tracing_app.calls.models import (
    BUSY,
    CALLBACK,
    NO_ANSWER,
    REACHED,
    REFUSED,
    WRONG_NUMBER,
)

OUTCOME_LABELS = {
    REACHED: _l("Reached"),
    NO_ANSWER: _l("No answer"),
    BUSY: _l("Busy"),
    WRONG_NUMBER: _l("Wrong number"),
    REFUSED: _l("Refused"),
    CALLBACK: _l("Callback requested"),
}


#: Whole numbers as text inputs with a numeric keyboard (the site's style covers text inputs).
NUMERIC = {"widget": TextInput(), "render_kw": {"inputmode": "numeric"}}


def _retry_field(label):
    return IntegerField(
        label,
        **NUMERIC,
        validators=[Optional(), NumberRange(min=0, max=60 * 24 * 14)],
        description=_l("Minutes until the next try; empty: do not try again."),
    )


class CampaignForm(FlaskForm):
    """A campaign's settings."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    script_id = SelectField(_l("Call script"), coerce=int)
    priority = IntegerField(
        _l("Priority"),
        **NUMERIC,
        validators=[InputRequired(), NumberRange(min=-100, max=100)],
        description=_l("Higher first: every call of a campaign comes before lower ones."),
    )
    calling_start = TimeField(_l("Calling from"), validators=[InputRequired()])
    calling_end = TimeField(
        _l("Calling until"),
        validators=[InputRequired()],
        description=_l("Belgian time; an end before the start spans midnight."),
    )
    max_attempts = IntegerField(
        _l("Maximum attempts"), **NUMERIC, validators=[InputRequired(), NumberRange(min=1, max=50)]
    )
    retry_no_answer = _retry_field(_l("Retry after no answer"))
    retry_busy = _retry_field(_l("Retry after busy"))
    retry_wrong_number = _retry_field(_l("Retry after wrong number"))
    callback_grace_minutes = IntegerField(
        _l("Callback reserved for the same agent for"),
        **NUMERIC,
        validators=[InputRequired(), NumberRange(min=0, max=24 * 60)],
        description=_l("Minutes after the callback time; then any agent may call."),
    )
    max_live_calls = IntegerField(
        _l("Live calls an agent may hold"),
        **NUMERIC,
        # A form from before the setting existed keeps the safe default.
        default=1,
        validators=[DataRequired(), NumberRange(min=1, max=20)],
        description=_l(
            "1: Next call shows the call the agent still holds. More only for preview work, "
            "where an agent prepares several calls."
        ),
    )
    receives_contacts = BooleanField(_l("Contacts named by cases are called in this campaign"))
    active = BooleanField(_l("Active"))
    submit = SubmitField(_l("Save"))


class ImportForm(FlaskForm):
    """A CSV or JSON file of call orders."""

    file = FileField(_l("File of call orders (.csv or .json)"), validators=[FileRequired()])
    submit = SubmitField(_l("Import"))


class OutcomeForm(FlaskForm):
    """How the call ended; for a callback, when and by whom."""

    outcome = RadioField(
        _l("Outcome"),
        choices=[SelectChoice(value, label) for value, label in OUTCOME_LABELS.items()],
        validators=[InputRequired(message=_l("Choose how the call ended."))],
    )
    callback_at = DateTimeLocalField(
        _l("Call back at"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    callback_by = RadioField(
        _l("Call back by"),
        choices=[SelectChoice("me", _l("Me")), SelectChoice("anyone", _l("Any agent"))],
        default="me",
    )
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Save outcome"))


def submitted_outcome_form() -> OutcomeForm:
    """The outcome form as submitted, its CSRF token checked once.

    The site's CSRF protection checked the request's token before the view: the form then
    leaves its own CSRF field out (making it signs a new token). Shown again with its
    errors, the form is :func:`shown_outcome_form`, with the field.
    """
    if g.get("csrf_valid", False):
        return OutcomeForm(meta={"csrf": False})
    return OutcomeForm()


def shown_outcome_form(submitted: OutcomeForm, error: str | None = None) -> OutcomeForm:
    """The submitted outcome form as the desktop shows it: its errors and a CSRF field.

    :param error: a rule's message, shown at the callback time (tracing_app.calls.operations).
    """
    form = submitted
    if "csrf_token" not in submitted:  # the same input, checked again: the same errors
        form = OutcomeForm()
        form.validate()
    if error is not None:
        form.callback_at.errors = [*form.callback_at.errors, error]
    return form


class ButtonForm(FlaskForm):
    """A form that is only a button (claim, release, open script, requeue)."""


def button_pressed() -> bool:
    """Whether a :class:`ButtonForm` was submitted with a valid CSRF token.

    The site's CSRF protection checks the request's token before the view: then no form
    is built to check it again (building one signs a new token).
    """
    if g.get("csrf_valid", False) and request.method in SUBMIT_METHODS:
        return True
    return ButtonForm().validate_on_submit()
