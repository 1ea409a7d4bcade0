"""Routes of content items: reading, writing, and the editors' overview."""

from flask import Blueprint
from flask_login import current_user

from content import signals
from content.items import views
from content.items.page_cache import PageCache, bump_content_version
from content.items.types import content_type
from content.items.urls import item_url
from content.workflow.operations import available_transitions

bp = Blueprint("items", __name__, url_prefix="/<lang_code>", template_folder="templates")


@bp.record_once
def _init_page_cache(state) -> None:
    config = state.app.config
    state.app.extensions["tracing.page_cache"] = PageCache(
        config["PAGE_CACHE_SIZE"], config["PAGE_CACHE_CHECK_SECONDS"]
    )


# Whatever visitors could notice makes cached pages stale.
signals.revision_saved.connect(lambda sender, **kwargs: bump_content_version(), weak=False)
signals.workflow_state_changed.connect(lambda sender, **kwargs: bump_content_version(), weak=False)

bp.add_app_template_global(item_url)
bp.add_app_template_global(views.site_sections)
bp.add_app_template_global(content_type)
bp.add_app_template_global(lambda item: available_transitions(item, current_user), "workflow_steps")

bp.add_url_rule("/cms/", "manage_content", views.manage_content)
bp.add_url_rule(
    "/cms/new/<int:parent_id>", "create_item", views.create_item, methods=["GET", "POST"]
)
bp.add_url_rule(
    "/cms/items/<int:item_id>/edit", "edit_item", views.edit_item, methods=["GET", "POST"]
)
bp.add_url_rule("/cms/items/<int:item_id>/move", "move_item", views.move_item, methods=["POST"])
bp.add_url_rule("/translation-missing/<group>", "missing_translation", views.missing_translation)
# Last: every other path below a language is a content item.
bp.add_url_rule("/<path:path>", "view_item", views.view_item)
