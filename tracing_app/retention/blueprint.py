"""Routes of legal holds, beside the ticket's own pages."""

from flask import Blueprint

from tracing_app.retention import views
from tracing_app.workspace import gate_workspace

bp = Blueprint(
    "retention", __name__, url_prefix="/<lang_code>/tickets", template_folder="templates"
)
# Supervisors place holds: they work without the agents' training certificate.
gate_workspace(bp, exempt=["legal_hold", "release_hold"])

bp.add_url_rule("/<reference>/legal-hold", "legal_hold", views.legal_hold, methods=["GET", "POST"])
bp.add_url_rule(
    "/<reference>/legal-hold/release", "release_hold", views.release_hold, methods=["POST"]
)
