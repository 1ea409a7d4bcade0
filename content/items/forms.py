"""Forms for writing content items."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from content.i18n import _l


class ItemForm(FlaskForm):
    """Title, address, summary and Markdown body of an item, with a comment for the history."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    slug = StringField(
        _l("Address (last part of the URL)"), validators=[Optional(), Length(max=120)]
    )
    description = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=1000)])
    body = TextAreaField(_l("Text (Markdown)"), validators=[Optional(), Length(max=200_000)])
    comment = StringField(_l("What did you change?"), validators=[Optional(), Length(max=500)])
    base_number = HiddenField()
    preview = SubmitField(_l("Preview"))
    save = SubmitField(_l("Save"))


class NewItemForm(ItemForm):
    """A new item: also its type."""

    type = SelectField(_l("Kind of item"))


class TransitionForm(FlaskForm):
    """A workflow step with an optional comment."""

    transition = HiddenField(validators=[DataRequired()])
    comment = StringField(_l("Comment"), validators=[Optional(), Length(max=1000)])


class TranslateForm(FlaskForm):
    """Create a translation in another language."""

    language = SelectField(_l("Translate into"))
    submit = SubmitField(_l("Create translation"))


class MoveForm(FlaskForm):
    """Move an item up or down in its folder."""

    offset = IntegerField(validators=[DataRequired()])


class RestoreForm(FlaskForm):
    """Restore an older revision as a new one."""

    comment = StringField(_l("Comment"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Restore this revision"))
