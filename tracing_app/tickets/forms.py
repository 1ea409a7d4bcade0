"""Forms of tickets: edit (with its version), lookup, escalation and the specialist's answer."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from content.i18n import _, _l, language_names
from tracing_app import identifiers
from tracing_app.protection import blind_index as bi
from tracing_app.protection import tolerant_index as ti
from tracing_app.tickets.lookup import NAME_HEARD, PHONE_END
from tracing_app.tickets.models import CLOSED, ESCALATED, IN_PROGRESS, OPEN
from tracing_app.tickets.reference import REFERENCE

STATUS_LABELS = {
    OPEN: _l("open"),
    IN_PROGRESS: _l("in progress"),
    ESCALATED: _l("escalated"),
    CLOSED: _l("closed"),
}

#: Lookup kinds offered to agents (the reference is not a blind index, it is a column).
LOOKUP_KINDS = {
    REFERENCE: _l("Ticket reference"),
    bi.NATIONAL_NUMBER: _l("National register number"),
    bi.PHONE: _l("Phone number"),
    bi.NAME_BIRTH_DATE: _l("Last name and birth date"),
    NAME_HEARD: _l("Last name as heard, with birth date or postcode"),
    PHONE_END: _l("Last digits of the phone and last name"),
}
#: Kinds that need the last name field.
_NAME_KINDS = (bi.NAME_BIRTH_DATE, NAME_HEARD, PHONE_END)


def choices(labels: dict) -> list[SelectChoice]:
    """Return a select's options from ``{value: label}``."""
    return [SelectChoice(value, label) for value, label in labels.items()]


#: Fields checked by :mod:`tracing_app.identifiers`, and the kind each one is.
IDENTIFIER_FIELDS = {
    "national_number": identifiers.NATIONAL_NUMBER,
    "phone": identifiers.PHONE,
    "email": identifiers.EMAIL,
}


def _identifier(kind: str):
    """A validator: the value is a valid ``kind`` when filled (:mod:`tracing_app.identifiers`)."""

    def check(form, field):
        _value, message = identifiers.validate(
            kind, field.data or "", today=identifiers.local_today()
        )
        if message:
            raise ValidationError(message)

    return check


class TicketForm(FlaskForm):
    """The personal data, notes and status of a ticket; ``version`` is the version read."""

    first_name = StringField(_l("First name"), validators=[Optional(), Length(max=200)])
    last_name = StringField(_l("Last name"), validators=[Optional(), Length(max=200)])
    national_number = StringField(
        _l("National register number"),
        validators=[Optional(), Length(max=40), _identifier(identifiers.NATIONAL_NUMBER)],
    )
    birth_date = DateField(_l("Birth date"), validators=[Optional()])
    phone = StringField(
        _l("Phone number"), validators=[Optional(), Length(max=40), _identifier(identifiers.PHONE)]
    )
    email = StringField(
        _l("E-mail address"),
        validators=[Optional(), Length(max=254), _identifier(identifiers.EMAIL)],
    )
    address = TextAreaField(_l("Address"), validators=[Optional(), Length(max=500)])
    language = SelectField(_l("Language of the citizen"), validators=[InputRequired()])
    status = SelectField(_l("Status"), choices=choices(STATUS_LABELS), validators=[InputRequired()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=10000)])
    version = HiddenField()
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = choices(language_names())

    def stored_value(self, name: str):
        """Return a field's value as it is stored: identifiers in their one form.

        Call after validation; the fields themselves keep what was typed (conflict screen).
        """
        value = self[name].data
        if name in IDENTIFIER_FIELDS and isinstance(value, str):
            today = identifiers.local_today()
            return identifiers.validate(IDENTIFIER_FIELDS[name], value, today=today)[0]
        return value

    def validate_birth_date(self, field):
        """The birth date is not in the future and agrees with the national number."""
        if field.data is None:
            return
        _value, message = identifiers.validate(
            identifiers.BIRTH_DATE, field.data.isoformat(), today=identifiers.local_today()
        )
        if message:
            raise ValidationError(message)
        number, problem = identifiers.validate(
            identifiers.NATIONAL_NUMBER,
            self.national_number.data or "",
            today=identifiers.local_today(),
        )
        if number and not problem and not identifiers.birth_date_matches(number, field.data):
            raise ValidationError(_("The date of birth does not match the national number."))

    def validate_version(self, field):
        """The version read must be a number (it is put there by the page)."""
        if not (field.data or "").isdigit():
            raise ValidationError(_("Reload the ticket and try again."))


class LookupForm(FlaskForm):
    """Find a ticket for an inbound call: criteria of one kind and the reason for the search."""

    kind = SelectField(_l("Search by"), choices=choices(LOOKUP_KINDS))
    value = StringField(_l("Reference, national number or phone"), validators=[Length(max=100)])
    last_name = StringField(_l("Last name"), validators=[Length(max=200)])
    birth_date = DateField(_l("Birth date"), validators=[Optional()])
    year_tolerance = BooleanField(_l("The year may be off by one"))
    postcode = StringField(_l("Postcode"), validators=[Length(max=10)])
    reason = StringField(_l("Reason for the search"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Search"))

    def validate_value(self, field):
        """The value fits the kind chosen (it must have a normal form, or enough digits)."""
        if self.kind.data in (bi.NAME_BIRTH_DATE, NAME_HEARD):
            return
        if not (field.data or "").strip():
            raise ValidationError(_("Enter what to search for."))
        if self.kind.data == PHONE_END:
            if len(ti.phone_digits(field.data)) < ti.TAIL_DIGITS:
                raise ValidationError(
                    _("Enter at least %(num)d digits of the phone number.", num=ti.TAIL_DIGITS)
                )
            return
        if self.kind.data == bi.PHONE and ti.national_candidates(field.data):
            return
        try:
            bi.normalize(self.kind.data, field.data)
        except (bi.NormalizationError, ValueError):
            raise ValidationError(_("This value is not valid for this kind of search.")) from None

    def validate_last_name(self, field):
        """Searches by name need a last name."""
        if self.kind.data not in _NAME_KINDS:
            return
        if not bi.normalize_name(field.data or ""):
            raise ValidationError(_("Enter the last name."))

    def validate(self, extra_validators=None) -> bool:
        """Validate the fields, then what the kind needs of the birth date.

        Done here: ``Optional()`` on an empty date stops the field's own validators.
        """
        valid = super().validate(extra_validators)
        if self.birth_date.data or self.birth_date.errors:
            return valid
        if self.kind.data == bi.NAME_BIRTH_DATE:
            self.birth_date.errors.append(_("Enter the birth date."))
            return False
        if self.kind.data == NAME_HEARD and not (self.postcode.data or "").strip():
            self.birth_date.errors.append(_("Enter the birth date or the postcode."))
            return False
        return valid

    def validate_postcode(self, field):
        """A Belgian postcode has four digits."""
        text = (field.data or "").strip()
        if self.kind.data == NAME_HEARD and text and ti.postcode_of(text) != text:
            raise ValidationError(_("A Belgian postcode has 4 digits, from 1000 to 9999."))


class EscalationForm(FlaskForm):
    """An agent's question about a ticket, for the specialists."""

    note = TextAreaField(
        _l("Question for the specialist"), validators=[DataRequired(), Length(max=5000)]
    )
    submit = SubmitField(_l("Escalate"))


class AnswerForm(FlaskForm):
    """A specialist's answer; resolving also closes the ticket's escalated status."""

    answer = TextAreaField(_l("Answer"), validators=[DataRequired(), Length(max=5000)])
    close_ticket = SelectField(
        _l("Then"),
        choices=choices(
            {
                IN_PROGRESS: _l("Give the ticket back to the agents"),
                CLOSED: _l("Close the ticket"),
            }
        ),
    )
    submit = SubmitField(_l("Answer and resolve"))


class AssignForm(FlaskForm):
    """A supervisor assigns the ticket to an agent (who may then open it)."""

    agent = SelectField(_l("Assign to"))
    submit = SubmitField(_l("Assign"))


class ConfirmForm(FlaskForm):
    """A button only (take an escalation, start or continue a script)."""

    submit = SubmitField(_l("Confirm"))
