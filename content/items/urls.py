"""URLs of content items."""

from __future__ import annotations

from flask import url_for

from content.items.models import ContentItem


def item_url(item: ContentItem, **params) -> str:
    """Return the reader's URL of an item: ``/nl/`` for a root, ``/nl/opleiding/les-1`` below."""
    language, _, rest = item.path.partition("/")
    if not rest:
        return url_for("site.home", lang_code=language, **params)
    return url_for("items.view_item", lang_code=language, path=rest, **params)
