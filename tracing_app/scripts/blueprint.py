"""Routes of call scripts: the editors' side and the agent's form."""

from flask import Blueprint

from tracing_app.scripts import views
from tracing_app.workspace import gate_workspace, outside_workspace

bp = Blueprint(
    "scripts", __name__, url_prefix="/<lang_code>/workspace", template_folder="templates"
)
# Editors write and publish scripts; only filling a form is the agents' work.
gate_workspace(
    bp,
    exempt=[
        "list_scripts",
        "view_version",
        "change_version_state",
        "compare_versions",
        "download_version",
    ],
)
# The agent's script needs one small script file; assets carry no language in their URL.
assets = Blueprint(
    "workspace_assets", __name__, static_folder="static", static_url_path="/workspace-static"
)
outside_workspace(assets)

bp.context_processor(views.version_state_labels)

bp.add_url_rule("/scripts/", "list_scripts", views.list_scripts, methods=["GET", "POST"])
bp.add_url_rule(
    "/scripts/versions/<int:version_id>",
    "view_version",
    views.view_version,
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/scripts/versions/<int:version_id>/state",
    "change_version_state",
    views.change_version_state,
    methods=["POST"],
)
bp.add_url_rule(
    "/scripts/versions/<int:version_id>/compare", "compare_versions", views.compare_versions
)
bp.add_url_rule(
    "/scripts/versions/<int:version_id>/download", "download_version", views.download_version
)
bp.add_url_rule("/forms/", "list_forms", views.list_forms)
bp.add_url_rule("/forms/start/<int:version_id>", "start_form", views.start_form, methods=["POST"])
bp.add_url_rule("/forms/<int:response_id>", "fill_form", views.fill_form, methods=["GET", "POST"])
bp.add_url_rule(
    "/forms/<int:response_id>/autosave", "autosave_form", views.autosave_form, methods=["POST"]
)
