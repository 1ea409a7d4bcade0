"""Routes for signing in and out and for one's own account."""

from flask import Blueprint

from content.auth import views

bp = Blueprint("auth", __name__, url_prefix="/<lang_code>", template_folder="templates")

bp.add_url_rule("/login", "login", views.login, methods=["GET", "POST"])
bp.add_url_rule("/logout", "logout", views.logout, methods=["POST"])
bp.add_url_rule("/account", "account", views.account, methods=["GET", "POST"])
