"""Routes of the telephony: the screen pop (agents); the call events are an API view."""

from flask import Blueprint

from tracing_app.telephony import views
from tracing_app.workspace import gate_workspace

bp = Blueprint("telephony", __name__, url_prefix="/<lang_code>/calls", template_folder="templates")
# Taking an inbound call is agents' work: behind the certificate like every call.
gate_workspace(bp)

bp.add_url_rule("/screen-pop", "screen_pop", views.screen_pop, methods=["GET", "POST"])
