"""Routes of the question bank (``/bank/…``), added to the quizzes blueprint."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint

from lms.quizzes.bank import question_views, views

TEMPLATES = Path(__file__).parent / "templates"


def add_routes(bp: Blueprint) -> None:
    """Add the bank's pages: categories, questions, versions, import and export."""
    bp.add_url_rule("/bank/", "view_bank", views.view_bank)
    bp.add_url_rule(
        "/bank/categories/new", "create_category", views.create_category, methods=["GET", "POST"]
    )
    bp.add_url_rule(
        "/bank/categories/<int:category_id>",
        "edit_category",
        views.edit_category,
        methods=["GET", "POST"],
    )
    bp.add_url_rule(
        "/bank/categories/<int:category_id>/delete",
        "delete_category",
        views.delete_category,
        methods=["POST"],
    )
    bp.add_url_rule(
        "/bank/categories/<int:category_id>/questions/new",
        "create_question",
        question_views.create_question,
        methods=["GET", "POST"],
    )
    bp.add_url_rule(
        "/bank/categories/<int:category_id>/export", "export_questions", views.export_questions
    )
    bp.add_url_rule(
        "/bank/questions/<int:question_id>",
        "edit_question",
        question_views.edit_question,
        methods=["GET", "POST"],
    )
    bp.add_url_rule(
        "/bank/questions/<int:question_id>/translate",
        "translate_question",
        question_views.translate_question,
        methods=["POST"],
    )
    bp.add_url_rule(
        "/bank/questions/<int:question_id>/preview",
        "preview_question",
        question_views.preview_question,
    )
    bp.add_url_rule(
        "/bank/questions/<int:question_id>/move",
        "move_question",
        question_views.move_question,
        methods=["POST"],
    )
    bp.add_url_rule(
        "/bank/questions/<int:question_id>/retire",
        "retire_question",
        question_views.retire_question,
        methods=["POST"],
    )
    bp.add_url_rule(
        "/bank/questions/<int:question_id>/history",
        "question_history",
        question_views.question_history,
    )
    bp.add_url_rule(
        "/bank/versions/<int:version_id>", "view_question_version", question_views.view_version
    )
    bp.add_url_rule(
        "/bank/versions/<int:version_id>/restore",
        "restore_question_version",
        question_views.restore_version,
        methods=["POST"],
    )
    bp.add_url_rule(
        "/bank/import", "import_questions", views.import_questions, methods=["GET", "POST"]
    )
