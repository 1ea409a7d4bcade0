"""Keeping the search index in step with the content, and searching it.

Two variants of each item are indexed: ``live`` (the revision visitors see) and
``latest`` (the one editors work on). Visitors search the live variant; users who may
see drafts search the latest.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import delete, select

from content import signals
from content.extensions import db
from content.items.models import ContentItem
from content.rendering import plain_text
from content.revisions.models import Revision
from content.search import backends
from content.search.backends import SearchHit
from content.search.models import LATEST, LIVE, SearchDocument
from content.search.text import clean_query, index_text, is_searchable

__all__ = ["SearchHit", "count_hits", "index_item", "reindex_all", "remove_item", "search"]


def index_item(item: ContentItem) -> None:
    """Write the item's live and latest revisions to the index; drop what no longer exists.

    Runs in the caller's transaction (it flushes, never commits).
    """
    if item.id is None:
        db.session.flush()
    wanted = {LIVE: item.live_revision_number, LATEST: item.latest_revision_number or None}
    numbers = {number for number in wanted.values() if number is not None}
    # Rendered once each: the live and the latest revision are often the same one.
    texts = {
        revision.number: (index_text(revision.title), _searchable_text(revision))
        for revision in db.session.scalars(
            select(Revision).where(Revision.item_id == item.id, Revision.number.in_(numbers))
        )
    }
    documents = {
        document.variant: document
        for document in db.session.scalars(
            select(SearchDocument).where(SearchDocument.item_id == item.id)
        )
    }
    for variant, number in wanted.items():
        document = documents.get(variant)
        if number not in texts:
            if document is not None:
                db.session.delete(document)
            continue
        if document is None:
            document = SearchDocument(item_id=item.id, variant=variant)
            db.session.add(document)
        document.language = item.language
        document.revision_number = number
        document.title, document.text = texts[number]
    db.session.flush()


def _searchable_text(revision: Revision) -> str:
    """Return a revision's description and body as plain text, for the index."""
    parts = [revision.description, plain_text(revision.body or "")]
    return index_text("\n".join(part for part in parts if part))


def reindex_all() -> int:
    """Index every item again (content that existed before the index); return the count."""
    count = 0
    for item in db.session.scalars(select(ContentItem).order_by(ContentItem.id)).all():
        index_item(item)
        count += 1
    return count


def remove_item(item_id: int) -> None:
    """Remove an item from the index (deleting the item does this by itself)."""
    db.session.execute(delete(SearchDocument).where(SearchDocument.item_id == item_id))


def search(
    language: str, query: str, *, include_drafts: bool, limit: int = 20, offset: int = 0
) -> list[SearchHit]:
    """Return the items of one language matching every word of the query, best first.

    :param include_drafts: search the latest revisions (editors) instead of the live ones.
    :return: at most ``limit`` hits; none for a query without enough letters.
    """
    query = clean_query(query)
    if not is_searchable(query):
        return []
    variant = LATEST if include_drafts else LIVE
    return backends.for_session().search(language, variant, query, limit, offset)


def count_hits(language: str, query: str, *, include_drafts: bool) -> int:
    """Return how many items ``search`` would find without a limit."""
    query = clean_query(query)
    if not is_searchable(query):
        return 0
    variant = LATEST if include_drafts else LIVE
    return backends.for_session().count(language, variant, query)


def _reindex(sender, *, item: ContentItem, **kwargs) -> None:
    """Signal receiver: index the item again (a new revision, or a new live revision)."""
    # Signals are process-wide; an app built without the search package has no index.
    if "search" in current_app.blueprints:
        index_item(item)


def connect_receivers() -> None:
    """Reindex items when they get a revision or go through a workflow transition."""
    signals.revision_saved.connect(_reindex)
    signals.workflow_state_changed.connect(_reindex)
