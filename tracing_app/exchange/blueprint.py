"""Routes of the exchange: administrators' pages and the JSON API."""

from flask import Blueprint

from tracing_app.exchange import api_views, views
from tracing_app.exchange.api import bp as api_bp
from tracing_app.workspace import outside_workspace

bp = Blueprint(
    "exchange", __name__, url_prefix="/<lang_code>/exchange", template_folder="templates"
)
# Administrators' pages and the institute's token API: not agents' work.
outside_workspace(bp)
outside_workspace(api_bp)
bp.add_url_rule("/clients", "list_clients", views.list_clients, methods=["GET", "POST"])
bp.add_url_rule(
    "/clients/<int:client_id>/revoke", "revoke_client", views.revoke_client, methods=["POST"]
)
bp.add_url_rule("/data-dictionary", "show_dictionary", views.show_dictionary)

__all__ = ["api_bp", "api_views", "bp"]
