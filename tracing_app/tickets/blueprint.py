"""Routes of tickets: the ticket page, lookup, escalations and the audit log screen."""

from flask import Blueprint

from tracing_app.audit import views as audit_views
from tracing_app.tickets import escalation_views, views
from tracing_app.workspace import gate_workspace

bp = Blueprint("tickets", __name__, url_prefix="/<lang_code>/tickets", template_folder="templates")
# Supervisors (assignment, audit log) and specialists (escalations) work without the
# agents' training certificate.
gate_workspace(
    bp,
    exempt=[
        "assign_ticket",
        "read_audit_log",
        "list_escalations",
        "take_escalation",
        "answer_escalation",
    ],
)

bp.context_processor(views.ticket_context)

bp.add_url_rule("/lookup", "lookup_tickets", views.lookup_tickets, methods=["GET", "POST"])
bp.add_url_rule("/audit", "read_audit_log", audit_views.read_audit_log)
bp.add_url_rule("/escalations/", "list_escalations", escalation_views.list_escalations)
bp.add_url_rule("/escalations/mine", "my_escalations", escalation_views.my_escalations)
bp.add_url_rule(
    "/escalations/<int:escalation_id>",
    "answer_escalation",
    escalation_views.answer_escalation,
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/escalations/<int:escalation_id>/take",
    "take_escalation",
    escalation_views.take_escalation,
    methods=["POST"],
)
bp.add_url_rule("/<reference>", "view_ticket", views.view_ticket)
bp.add_url_rule("/<reference>/edit", "edit_ticket", views.edit_ticket, methods=["GET", "POST"])
bp.add_url_rule("/<reference>/assign", "assign_ticket", views.assign_ticket, methods=["POST"])
bp.add_url_rule("/<reference>/script", "ticket_script", views.ticket_script, methods=["POST"])
bp.add_url_rule(
    "/<reference>/escalate",
    "escalate_ticket",
    escalation_views.escalate_ticket,
    methods=["GET", "POST"],
)
