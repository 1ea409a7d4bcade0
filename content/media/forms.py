"""Forms of the media pages."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SubmitField

from content.i18n import _l

#: What the browser's file chooser offers; the server checks the content, not this.
ACCEPT = ".png,.jpg,.jpeg,.gif,.webp,.pdf,.docx,.xlsx,.pptx"


class UploadForm(FlaskForm):
    """One file to attach to an item."""

    file = FileField(
        _l("File"),
        validators=[FileRequired(message=_l("Choose a file to upload."))],
        render_kw={"accept": ACCEPT},
    )
    submit = SubmitField(_l("Upload"))


class DeleteMediaForm(FlaskForm):
    """A delete button with nothing to fill in (CSRF-protected)."""
