"""Request handling for the site search."""

from __future__ import annotations

from flask import g, render_template, request
from flask_login import current_user
from sqlalchemy import select

from content.auth.roles import PUBLIC, requires
from content.extensions import db
from content.i18n import _
from content.items.models import ContentItem
from content.items.urls import item_url
from content.search import operations
from content.search.text import MAX_QUERY_LENGTH, MIN_QUERY_LENGTH, clean_query, is_searchable
from content.workflow.operations import STATE_LABELS

PER_PAGE = 20
#: Deeper pages are not offered (nobody reads them; the offset stays a small number).
MAX_PAGE = 50


@requires(PUBLIC)
def search_items():
    """Show the items of the page's language matching ``q``, visitors the live ones only."""
    query = clean_query(request.args.get("q"))
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    include_drafts = current_user.is_authenticated and current_user.can("content.view_drafts")
    context = {"query": query, "max_length": MAX_QUERY_LENGTH, "include_drafts": include_drafts}
    if not is_searchable(query):
        hint = _("Type at least %(num)d letters or digits to search.", num=MIN_QUERY_LENGTH)
        return render_template("search/results.html", hint=hint, **context)
    total = operations.count_hits(g.lang_code, query, include_drafts=include_drafts)
    hits = operations.search(
        g.lang_code,
        query,
        include_drafts=include_drafts,
        limit=PER_PAGE,
        offset=(page - 1) * PER_PAGE,
    )
    return render_template(
        "search/results.html",
        hits=hits,
        total=total,
        links=_links(hits),
        has_next=page * PER_PAGE < total and page < MAX_PAGE,
        page=page,
        first_number=(page - 1) * PER_PAGE + 1,
        state_labels=STATE_LABELS,
        **context,
    )


def _links(hits: list[operations.SearchHit]) -> dict[int, str]:
    """Return the reader's URL of each hit's item."""
    ids = [hit.item_id for hit in hits]
    items = db.session.scalars(select(ContentItem).where(ContentItem.id.in_(ids)))
    return {item.id: item_url(item) for item in items}
