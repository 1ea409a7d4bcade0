"""Forms of the documents pages."""

from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from content.i18n import _l
from tracing_app.documents.models import QUARANTINE_CERTIFICATE, TEST_PRESCRIPTION


class IssueDocumentForm(FlaskForm):
    """The kind of document and its dates (which dates apply depends on the kind)."""

    kind = RadioField(
        _l("Document"),
        choices=[
            SelectChoice(QUARANTINE_CERTIFICATE, _l("Quarantine certificate")),
            SelectChoice(TEST_PRESCRIPTION, _l("Test prescription")),
        ],
        validators=[InputRequired(message=_l("Choose a kind of document."))],
    )
    valid_from = DateField(_l("First day of quarantine"), validators=[Optional()])
    valid_until = DateField(_l("Last day of quarantine"), validators=[Optional()])
    test_date = DateField(_l("Date of the test"), validators=[Optional()])
    submit = SubmitField(_l("Issue the document"))


class PrintDocumentForm(FlaskForm):
    """Draw the PDF (a reprint after the first)."""

    submit = SubmitField(_l("Download the PDF"))


class RevokeDocumentForm(FlaskForm):
    """Withdraw a document."""

    submit = SubmitField(_l("Revoke the document"))
