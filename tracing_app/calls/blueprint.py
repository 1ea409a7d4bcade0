"""Routes of call lists: the agent's next call and the supervisors' campaigns and dashboard."""

from flask import Blueprint

from tracing_app.calls import (
    agent_states,
    contacts,
    identity,
    supervisor_views,
    views,
    wallboard_views,
)
from tracing_app.workspace import gate_workspace, outside_workspace

bp = Blueprint("calls", __name__, url_prefix="/<lang_code>/calls", template_folder="templates")
# Supervisors follow the lists without the agents' training certificate.
gate_workspace(
    bp,
    exempt=[
        "list_campaigns",
        "create_campaign",
        "edit_campaign",
        "import_orders",
        "not_reached",
        "requeue_order",
        "dashboard",
        "export_dashboard",
        "wallboard",
        "wallboard_fragment",
        "wallboard_stream",
    ],
)

# The call desktop's stylesheet and keys; assets carry no language in their URL.
assets = Blueprint(
    "calls_assets", __name__, static_folder="static", static_url_path="/calls-static"
)
outside_workspace(assets)

bp.context_processor(views.calls_context)
# Contacts named by a case become call orders when the case's form is completed.
contacts.connect()
# The citizen's identity answers update their ticket as soon as they are valid.
identity.connect()
# Signing in makes an agent available, signing out offline.
agent_states.connect()

# Agents (calls.work).
bp.add_url_rule("/", "agent_home", views.agent_home)
bp.add_url_rule("/next", "claim_call", views.claim_call, methods=["POST"])
bp.add_url_rule("/state", "set_agent_state", views.set_agent_state, methods=["POST"])
bp.add_url_rule("/orders/<int:order_id>", "view_call", views.view_call)
bp.add_url_rule(
    "/orders/<int:order_id>/outcome", "record_outcome", views.record_outcome, methods=["POST"]
)
bp.add_url_rule(
    "/orders/<int:order_id>/release", "release_call", views.release_call, methods=["POST"]
)
bp.add_url_rule("/orders/<int:order_id>/script", "open_script", views.open_script, methods=["POST"])
bp.add_url_rule(
    "/orders/<int:order_id>/script/save", "save_script", views.save_script, methods=["POST"]
)

# Supervisors (calls.supervise).
bp.add_url_rule("/campaigns/", "list_campaigns", supervisor_views.list_campaigns)
bp.add_url_rule(
    "/campaigns/new", "create_campaign", supervisor_views.create_campaign, methods=["GET", "POST"]
)
bp.add_url_rule(
    "/campaigns/<int:campaign_id>/edit",
    "edit_campaign",
    supervisor_views.edit_campaign,
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/campaigns/<int:campaign_id>/import",
    "import_orders",
    supervisor_views.import_orders,
    methods=["GET", "POST"],
)
bp.add_url_rule("/not-reached", "not_reached", supervisor_views.not_reached)
bp.add_url_rule(
    "/orders/<int:order_id>/requeue",
    "requeue_order",
    supervisor_views.requeue_order,
    methods=["POST"],
)
bp.add_url_rule("/dashboard", "dashboard", supervisor_views.dashboard)
bp.add_url_rule("/wallboard", "wallboard", wallboard_views.wallboard)
bp.add_url_rule("/wallboard/board", "wallboard_fragment", wallboard_views.wallboard_fragment)
bp.add_url_rule("/wallboard/stream", "wallboard_stream", wallboard_views.wallboard_stream)
bp.add_url_rule("/dashboard.csv", "export_dashboard", supervisor_views.export_dashboard)
