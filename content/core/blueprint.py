"""Routes of the site's frame: home, dashboard, health check."""

from flask import Blueprint

from content.core import views

bp = Blueprint("core", __name__, template_folder="templates")
localized = Blueprint("site", __name__, url_prefix="/<lang_code>", template_folder="templates")

bp.add_url_rule("/", "root", views.root)
bp.add_url_rule("/healthz", "healthz", views.healthz)
localized.add_url_rule("/", "home", views.home)
localized.add_url_rule("/dashboard", "dashboard", views.dashboard)
