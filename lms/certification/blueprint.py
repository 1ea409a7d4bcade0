"""Routes of certification: learners' certificates, the public verification page, admin pages."""

from flask import Blueprint

from lms.certification import gate, operations, views

bp = Blueprint("certification", __name__, url_prefix="/<lang_code>", template_folder="templates")
bp.context_processor(views.template_context)
# The exam's result page (lms.quizzes) links to the certificate the attempt earned.
bp.add_app_template_global(operations.certificate_of_attempt, "certificate_of_attempt")


@bp.record_once
def _connect_signals(state) -> None:
    """Issue certificates when modules are completed and exams graded; keep gate passes fresh."""
    operations.connect_signals()
    gate.watch_changes()


bp.add_url_rule("/certificates/", "list_certificates", views.list_certificates)
bp.add_url_rule(
    "/certificates/<int:certificate_id>/certificate.pdf",
    "download_certificate",
    views.download_certificate,
)
bp.add_url_rule(
    "/certificates/<int:certificate_id>/retake",
    "retake_exam",
    views.retake_exam,
    methods=["POST"],
)
bp.add_url_rule("/verify/<code>", "verify_certificate", views.verify_certificate)

bp.add_url_rule("/certificates/admin/", "manage_certificates", views.manage_certificates)
bp.add_url_rule(
    "/certificates/admin/<int:certificate_id>/revoke",
    "revoke_certificate",
    views.revoke_certificate,
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/certificates/admin/exemption",
    "grant_exemption",
    views.grant_exemption,
    methods=["GET", "POST"],
)
bp.add_url_rule("/certificates/admin/events", "list_events", views.list_events)
bp.add_url_rule(
    "/certificates/admin/certifications/", "manage_certifications", views.manage_certifications
)
bp.add_url_rule(
    "/certificates/admin/certifications/new",
    "new_certification",
    views.new_certification,
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/certificates/admin/certifications/<int:certification_id>",
    "edit_certification",
    views.edit_certification,
    methods=["GET", "POST"],
)
