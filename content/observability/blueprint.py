"""Route of the metrics endpoint (not localized: scrapers read no language)."""

from flask import Blueprint

from content.observability import views

bp = Blueprint("observability", __name__)

bp.add_url_rule("/metrics", "metrics", views.metrics)
