"""Routes of the site search."""

from flask import Blueprint

from content.search import views
from content.search.operations import connect_receivers

bp = Blueprint("search", __name__, url_prefix="/<lang_code>", template_folder="templates")
# The index follows the content from the moment a site uses the search.
bp.record_once(lambda state: connect_receivers())

bp.add_url_rule("/search", "search_items", views.search_items)
