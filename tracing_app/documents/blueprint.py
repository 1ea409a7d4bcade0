"""Routes of documents: the workspace's pages and the public verification page."""

from flask import Blueprint

from tracing_app.documents import operations, views
from tracing_app.workspace import gate_workspace

bp = Blueprint("documents", __name__, url_prefix="/<lang_code>", template_folder="templates")
# Anyone holding a printed document checks its code: the verification pages are public.
gate_workspace(bp, exempt=["find_document", "verify_document"])

# The ticket page (tickets blueprint) includes documents/_ticket_documents.html.
bp.app_template_global("ticket_documents")(operations.documents_of)
bp.app_context_processor(views.partial_context)
bp.context_processor(views.template_context)

bp.add_url_rule("/documents/tickets/<reference>", "list_documents", views.list_documents)
bp.add_url_rule(
    "/documents/tickets/<reference>/new",
    "issue_document",
    views.issue_document,
    methods=["GET", "POST"],
)
bp.add_url_rule("/documents/<int:document_id>", "view_document", views.view_document)
bp.add_url_rule(
    "/documents/<int:document_id>/pdf", "print_document", views.print_document, methods=["POST"]
)
bp.add_url_rule(
    "/documents/<int:document_id>/revoke",
    "revoke_document",
    views.revoke_document,
    methods=["POST"],
)
bp.add_url_rule("/verify-document/", "find_document", views.find_document)
bp.add_url_rule("/verify-document/<code>", "verify_document", views.verify_document)
