"""Forms of the learners' and trainers' course pages (Flask-WTF: every one has CSRF)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from content.i18n import _l


class ActionForm(FlaskForm):
    """A button that changes something (enrol, mark as done): only the CSRF token."""


class MoveForm(FlaskForm):
    """Move a lesson or quiz one place up (-1) or down (+1)."""

    offset = IntegerField(validators=[DataRequired()])


class OrderForm(FlaskForm):
    """The module's items in their new order (item ids, comma-separated), from drag-and-drop."""

    order = HiddenField(validators=[DataRequired()])


class ModuleSettingsForm(FlaskForm):
    """A module's settings and prerequisites (the same in every language)."""

    is_required_order = BooleanField(_l("Lessons must be done in order"))
    is_self_enrolment = BooleanField(_l("Learners may enrol themselves"))
    prerequisites = SelectMultipleField(
        _l("Modules to complete first"),
        choices=[],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=True,
    )
    submit = SubmitField(_l("Save the settings"))


class EnrolForm(FlaskForm):
    """Enrol several learners (by e-mail address) in one module, as one cohort."""

    module = SelectField(_l("Module"), choices=[], validate_choice=True)
    emails = TextAreaField(
        _l("E-mail addresses of the learners"),
        validators=[DataRequired(), Length(max=20000)],
        description=_l("One per line, or separated by commas or spaces."),
    )
    cohort = StringField(_l("Cohort (optional)"), validators=[Optional(), Length(max=100)])
    submit = SubmitField(_l("Enrol"))
