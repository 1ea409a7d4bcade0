"""The form of the subject-access page: which format to download."""

from flask_wtf import FlaskForm
from wtforms import SubmitField

from content.i18n import _l


class SubjectAccessForm(FlaskForm):
    """Download the export as PDF or JSON (a POST: every export is audited)."""

    pdf = SubmitField(_l("Download the PDF"))
    json = SubmitField(_l("Download the JSON"))
