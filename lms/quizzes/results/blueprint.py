"""Routes of a quiz's results, added to the quizzes blueprint."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint

from lms.quizzes.results import views

TEMPLATES = Path(__file__).parent / "templates"


def add_routes(bp: Blueprint) -> None:
    """Add the trainers' results page and its CSV download."""
    bp.add_url_rule("/<group>/results", "quiz_results", views.quiz_results)
    bp.add_url_rule("/<group>/results.csv", "export_results", views.export_results)
