"""Routes of a quiz's settings, added to the quizzes blueprint."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint

from lms.quizzes.settings import views

TEMPLATES = Path(__file__).parent / "templates"


def add_routes(bp: Blueprint) -> None:
    """Add the trainers' settings page."""
    bp.add_url_rule(
        "/<group>/settings", "edit_settings", views.edit_settings, methods=["GET", "POST"]
    )
