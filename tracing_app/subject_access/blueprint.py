"""Routes of the citizen's copy, beside the ticket's own pages."""

from flask import Blueprint

from tracing_app.subject_access import views
from tracing_app.workspace import gate_workspace

bp = Blueprint(
    "subject_access", __name__, url_prefix="/<lang_code>/tickets", template_folder="templates"
)
# Supervisors produce the export: they work without the agents' training certificate.
gate_workspace(bp, exempt=["subject_access"])

bp.add_url_rule(
    "/<reference>/subject-access",
    "subject_access",
    views.subject_access,
    methods=["GET", "POST"],
)
