"""Routes of the jobs page."""

from flask import Blueprint

from content.jobs import views

bp = Blueprint("jobs", __name__, url_prefix="/<lang_code>/admin/jobs", template_folder="templates")

bp.add_url_rule("/", "list_jobs", views.list_jobs)
