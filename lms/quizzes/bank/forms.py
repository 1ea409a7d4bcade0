"""Forms of the question bank: categories, the question editor, import.

The editor is one form for the six question types; only the rows of the chosen type are
shown. Rows (options, accepted answers, pairs) are fixed lists the author fills in; blank
rows are ignored, and "More rows" adds empty ones, so the editor works without JavaScript.
Reading the editor into a question dataclass and back is in :mod:`lms.quizzes.bank.editor`.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from content.i18n import _l
from lms.quizzes.questions.types import Scoring

#: The question types in the order the editor offers them.
KIND_LABELS = {
    "single_choice": _l("Single choice"),
    "multiple_choice": _l("Multiple choice"),
    "true_false": _l("True or false"),
    "numeric": _l("Number"),
    "short_text": _l("Short text"),
    "matching": _l("Matching"),
}

SCORING_LABELS = {
    Scoring.PARTIAL: _l(
        "Partial credit: each right option earns its share; each wrong option chosen "
        "costs its negative weight, or one right option's share when it has none; "
        "never below 0."
    ),
    Scoring.ALL_OR_NOTHING: _l("All or nothing: full marks only for exactly the right options."),
}

#: Blank rows shown below the filled ones, and added by "More rows".
SPARE_ROWS = 2


class OptionRow(Form):
    """An option of a choice question."""

    text = StringField(_l("Option"), validators=[Optional(), Length(max=2000)])
    percent = StringField(_l("Credit (%)"), default="0")
    feedback = StringField(_l("Feedback"), validators=[Optional(), Length(max=2000)])


class NumericRow(Form):
    """An accepted number (value ± tolerance) or range (minimum to maximum)."""

    value = StringField(_l("Value"))
    tolerance = StringField(_l("± tolerance"))
    minimum = StringField(_l("or from"))
    maximum = StringField(_l("to"))
    percent = StringField(_l("Credit (%)"), default="100")
    feedback = StringField(_l("Feedback"), validators=[Optional(), Length(max=2000)])


class TextRow(Form):
    """An accepted text of a short-text question."""

    text = StringField(_l("Accepted answer"), validators=[Optional(), Length(max=500)])
    percent = StringField(_l("Credit (%)"), default="100")
    feedback = StringField(_l("Feedback"), validators=[Optional(), Length(max=2000)])


class PairRow(Form):
    """A prompt and the answer it matches."""

    prompt = StringField(_l("Item"), validators=[Optional(), Length(max=500)])
    answer = StringField(_l("Matches"), validators=[Optional(), Length(max=500)])


class QuestionForm(FlaskForm):
    """The question editor: common fields, then the rows of the chosen type."""

    #: The fingerprint of the version the author started from (conflict detection).
    base = HiddenField()
    kind = SelectField(_l("Type"), choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()])
    name = StringField(_l("Title (for authors only)"), validators=[DataRequired(), Length(max=255)])
    text = TextAreaField(_l("Question (Markdown)"), validators=[DataRequired()])
    mark = StringField(_l("Points"), default="1")
    general_feedback = TextAreaField(_l("General feedback (after submitting)"))

    options = FieldList(FormField(OptionRow), min_entries=4)
    shuffle = BooleanField(_l("Shuffle the options"), default=True)
    scoring = RadioField(
        _l("Scoring"),
        choices=[SelectChoice(str(k), v) for k, v in SCORING_LABELS.items()],
        default=str(Scoring.PARTIAL),
    )

    answer = RadioField(
        _l("The statement is"),
        choices=[SelectChoice("true", _l("True")), SelectChoice("false", _l("False"))],
        validators=[Optional()],
    )
    feedback_true = StringField(_l("Feedback when answered “true”"))
    feedback_false = StringField(_l("Feedback when answered “false”"))

    numeric_answers = FieldList(FormField(NumericRow), min_entries=2)
    text_answers = FieldList(FormField(TextRow), min_entries=3)
    ignore_case = BooleanField(_l("Ignore upper and lower case"), default=True)
    ignore_accents = BooleanField(_l("Ignore accents (é = e)"), default=False)

    pairs = FieldList(FormField(PairRow), min_entries=4)
    distractors = TextAreaField(_l("Extra wrong answers, one per line"))

    preview = SubmitField(_l("Preview"))
    save = SubmitField(_l("Save"))
    more_rows = SubmitField(_l("More rows"))
    change_kind = SubmitField(_l("Change type"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        #: Errors about a whole row list ("give at least two options"), by list name.
        self.row_errors: dict[str, list] = {}

    def add_spare_rows(self) -> None:
        """Append blank rows to every row list."""
        for rows in (self.options, self.numeric_answers, self.text_answers, self.pairs):
            for _index in range(SPARE_ROWS):
                rows.append_entry()


class CategoryForm(FlaskForm):
    """Create or edit a category."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    parent_id = SelectField(_l("Inside"), coerce=int, default=0)
    description = TextAreaField(_l("Description (for authors)"))
    submit = SubmitField(_l("Save"))


class ImportForm(FlaskForm):
    """Upload a GIFT or Aiken file into a category."""

    file = FileField(_l("File (GIFT or Aiken, UTF-8)"), validators=[FileRequired()])
    file_format = SelectField(
        _l("Format"),
        choices=[SelectChoice("gift", _l("GIFT (Moodle)")), SelectChoice("aiken", _l("Aiken"))],
    )
    category_id = SelectField(_l("Category"), coerce=int)
    categories_from_file = BooleanField(_l("Take the categories from the file"))
    language = SelectField(_l("Language of the questions"))
    submit = SubmitField(_l("Import"))


class ButtonForm(FlaskForm):
    """A form with only its CSRF token: translate, retire, restore, delete buttons."""
