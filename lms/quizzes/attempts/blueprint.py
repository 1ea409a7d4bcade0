"""Routes of attempts, added to the quizzes blueprint."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint

from lms.quizzes.attempts import views

TEMPLATES = Path(__file__).parent / "templates"
#: The attempt page's autosave script (served by the ``quizzes_assets`` blueprint).
STATIC = Path(__file__).parent / "static"


def add_routes(bp: Blueprint) -> None:
    """Add start, the attempt page, autosave, submit, review and the attempt record."""
    bp.add_url_rule("/<group>/start", "start_attempt", views.start_attempt, methods=["POST"])
    bp.add_url_rule(
        "/attempts/<int:attempt_id>", "take_attempt", views.take_attempt, methods=["GET", "POST"]
    )
    bp.add_url_rule(
        "/attempts/<int:attempt_id>/autosave",
        "autosave_attempt",
        views.autosave_attempt,
        methods=["POST"],
    )
    bp.add_url_rule(
        "/attempts/<int:attempt_id>/submit",
        "submit_attempt",
        views.submit_attempt,
        methods=["GET", "POST"],
    )
    bp.add_url_rule("/attempts/<int:attempt_id>/review", "review_attempt", views.review_attempt)
    bp.add_url_rule(
        "/attempts/<int:attempt_id>/record", "view_attempt_record", views.view_attempt_record
    )
