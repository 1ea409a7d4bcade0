"""Routes of the account administration."""

from flask import Blueprint

from content.users import views

bp = Blueprint(
    "users", __name__, url_prefix="/<lang_code>/admin/users", template_folder="templates"
)

bp.add_url_rule("/", "list_users", views.list_users)
bp.add_url_rule("/new", "create_user", views.create_user, methods=["GET", "POST"])
bp.add_url_rule("/<int:user_id>", "edit_user", views.edit_user, methods=["GET", "POST"])
bp.add_url_rule("/<int:user_id>/password", "reset_password", views.reset_password, methods=["POST"])
bp.add_url_rule(
    "/<int:user_id>/second-factor",
    "reset_second_factor",
    views.reset_second_factor,
    methods=["POST"],
)
bp.add_url_rule(
    "/<int:user_id>/deactivate", "deactivate_user", views.deactivate_user, methods=["POST"]
)
bp.add_url_rule(
    "/<int:user_id>/reactivate", "reactivate_user", views.reactivate_user, methods=["POST"]
)
