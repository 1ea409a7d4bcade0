"""Routes of media files: managing an item's files (localized) and serving them (not)."""

from flask import Blueprint

from content.media import operations, views

bp = Blueprint("media", __name__, template_folder="templates")

# One blueprint for both kinds of route, so every endpoint is ``media.*``; the management
# pages carry the language, file URLs do not (a page in any language links the same file).
ITEM_MEDIA = "/<lang_code>/cms/items/<int:item_id>/media"

bp.add_url_rule(ITEM_MEDIA, "manage_media", views.manage_media)
bp.add_url_rule(f"{ITEM_MEDIA}/upload", "upload_media", views.upload_media, methods=["POST"])
bp.add_url_rule(
    f"{ITEM_MEDIA}/<int:media_id>/delete", "delete_media", views.delete_media, methods=["POST"]
)
bp.add_url_rule("/media/<int:media_id>/<path:filename>", "serve_media", views.serve_media)
bp.add_app_template_filter(operations.format_file_size, "file_size")
