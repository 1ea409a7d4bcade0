"""Routes of the revision history."""

from flask import Blueprint

from content.revisions import views

bp = Blueprint(
    "revisions",
    __name__,
    url_prefix="/<lang_code>/cms/items/<int:item_id>",
    template_folder="templates",
)

bp.add_url_rule("/history", "list_revisions", views.list_revisions)
bp.add_url_rule("/compare", "compare_revisions", views.compare_revisions)
bp.add_url_rule(
    "/restore/<int:number>", "restore_revision", views.restore_revision, methods=["POST"]
)
