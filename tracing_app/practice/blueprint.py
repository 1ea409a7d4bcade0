"""Routes of practice calls: learners practise, trainers see the results."""

from flask import Blueprint

from tracing_app.practice import views
from tracing_app.workspace import outside_workspace

bp = Blueprint(
    "practice", __name__, url_prefix="/<lang_code>/practice", template_folder="templates"
)
# Learners are not certified yet: practice is outside the workspace gate on purpose. It
# never shows a real ticket (its own tables), and the permission keeps it to agents.
outside_workspace(bp)

bp.add_url_rule("/", "list_scenarios", views.list_scenarios)
bp.add_url_rule("/results", "list_results", views.list_results)
bp.add_url_rule("/calls/<int:call_id>", "view_result", views.view_result)
bp.add_url_rule("/<code>", "practice_call", views.practice_call, methods=["GET", "POST"])
