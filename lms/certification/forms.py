"""Forms of certification: the administrator's certification editor, revocation, exemption."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from content.i18n import _l

_CODE = Regexp(r"^[a-z0-9][a-z0-9_-]*$", message=_l("Lower-case letters, digits, - and _ only."))


class CertificationForm(FlaskForm):
    """What a certification requires and grants. Title fields are added per language."""

    code = StringField(_l("Code"), validators=[InputRequired(), Length(max=50), _CODE])
    title_nl = StringField(_l("Title (Dutch)"), validators=[Length(max=200)])
    title_fr = StringField(_l("Title (French)"), validators=[Length(max=200)])
    title_de = StringField(_l("Title (German)"), validators=[Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[Length(max=200)])
    module_groups = SelectMultipleField(
        _l("Required modules"),
        choices=[],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),  # checkboxes: the macro lays each option out with its label
        validate_choice=True,
    )
    exam_quiz_group = SelectField(_l("Exam"), choices=[], validate_choice=True)
    min_score_percent = IntegerField(
        _l("Minimum exam score (%)"), default=80, validators=[InputRequired(), NumberRange(0, 100)]
    )
    validity_days = IntegerField(
        _l("Valid for (days)"), default=365, validators=[Optional(), NumberRange(1, 36500)]
    )
    warn_days = IntegerField(
        _l("Warn before expiry (days)"),
        default=30,
        validators=[InputRequired(), NumberRange(0, 3650)],
    )
    grants_gate = StringField(
        _l("Opens the access gate"),
        default="workspace",
        validators=[Optional(), Length(max=50), _CODE],
    )
    submit = SubmitField(_l("Save"))

    TITLE_FIELDS = ("title_nl", "title_fr", "title_de", "title_en")

    def validate_title_en(self, field) -> None:
        """At least one title: the certificate must be named in some language."""
        if not any(
            getattr(self, name).data and getattr(self, name).data.strip()
            for name in self.TITLE_FIELDS
        ):
            raise ValidationError(_l("Give a title in at least one language."))

    def titles(self) -> dict[str, str]:
        """Return the titles by language code."""
        return {
            name.removeprefix("title_"): getattr(self, name).data or ""
            for name in self.TITLE_FIELDS
        }


class ReasonForm(FlaskForm):
    """Revoke a certificate: the reason is required and recorded."""

    reason = TextAreaField(_l("Reason"), validators=[InputRequired(), Length(max=2000)])
    submit = SubmitField(_l("Revoke the certificate"))


class ExemptionForm(FlaskForm):
    """Grant a certificate without training or exam (an exemption), with the reason."""

    email = StringField(_l("Email address of the person"), validators=[InputRequired(), Email()])
    certification_id = SelectField(_l("Certification"), coerce=int, choices=[])
    reason = TextAreaField(_l("Reason"), validators=[InputRequired(), Length(max=2000)])
    submit = SubmitField(_l("Grant the exemption"))


class RetakeForm(FlaskForm):
    """Start recertification (only a button: CSRF-protected)."""

    submit = SubmitField(_l("Retake the exam"))
