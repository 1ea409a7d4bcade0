"""Routes of linked translations."""

from flask import Blueprint

from content.multilingual import views

bp = Blueprint("multilingual", __name__, url_prefix="/<lang_code>/cms", template_folder="templates")

bp.add_url_rule("/items/<int:item_id>/translations", "item_translations", views.item_translations)
bp.add_url_rule(
    "/items/<int:item_id>/translate",
    "create_translation",
    views.create_translation,
    methods=["POST"],
)
bp.add_url_rule(
    "/items/<int:item_id>/up-to-date", "mark_up_to_date", views.mark_up_to_date, methods=["POST"]
)
bp.add_url_rule("/translations", "translation_overview", views.translation_overview)
