"""Routes of the publication workflow."""

from flask import Blueprint

from content.workflow import views
from content.workflow.operations import TRANSITIONS

bp = Blueprint("workflow", __name__, url_prefix="/<lang_code>/cms", template_folder="templates")
bp.add_app_template_global(
    lambda name: TRANSITIONS[name].label if name in TRANSITIONS else name, "transition_label"
)

bp.add_url_rule("/items/<int:item_id>/state", "change_state", views.change_state, methods=["POST"])
bp.add_url_rule("/review", "review_queue", views.review_queue)
