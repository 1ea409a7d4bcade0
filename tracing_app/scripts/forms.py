"""Forms of the script editor (the agent's form is built from the script itself)."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SubmitField

from content.i18n import _l


class UploadForm(FlaskForm):
    """An XLSForm file (.xlsx or .csv)."""

    file = FileField(_l("XLSForm file (.xlsx or .csv)"), validators=[FileRequired()])
    submit = SubmitField(_l("Upload"))


class VersionStateForm(FlaskForm):
    """Publish or retire a version."""

    action = HiddenField()
