"""The search index: one document per item and variant (what visitors see, the latest).

The full-text parts differ per database and are created by migration 3f1a5e0c7b21, not
declared here: on SQLite the FTS5 table ``search_fts`` (kept in step with
``search_documents`` by triggers), on PostgreSQL the generated column
``search_documents.tsv`` and its GIN index. ``include_name`` keeps them out of the
comparison of the models with the database (Alembic autogenerate, the migration test).
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from content.extensions import db

#: The revision visitors see (``live_revision_number``).
LIVE = "live"
#: The revision editors work on (``latest_revision_number``).
LATEST = "latest"
VARIANTS = (LIVE, LATEST)

#: Database objects of the index that the models do not declare (see the module docstring).
FTS_TABLE = "search_fts"
TSV_COLUMN = "tsv"
TSV_INDEX = "ix_search_documents_tsv"


class SearchDocument(db.Model):
    """The searchable text of one revision of an item: title, description and body."""

    __tablename__ = "search_documents"
    __table_args__ = (
        UniqueConstraint("item_id", "variant", name="uq_search_documents_item_variant"),
        Index("ix_search_documents_language_variant", "language", "variant"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"))
    variant: Mapped[str] = mapped_column(String(10))
    language: Mapped[str] = mapped_column(String(8))
    revision_number: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    #: Description and body as plain text (no Markdown, no HTML).
    text: Mapped[str] = mapped_column(Text, default="")

    def __repr__(self) -> str:
        return f"<SearchDocument {self.item_id} {self.variant} #{self.revision_number}>"


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic filter: leave out the index parts that only one database has.

    Used by ``content/migrations/env.py`` and ``tests/content/test_migrations.py``. Names,
    not objects, so Alembic does not even reflect the FTS5 table and its shadow tables.
    """
    if type_ == "table":
        return not (name or "").startswith(FTS_TABLE)
    if type_ == "column":
        return not (parent_names.get("table_name") == "search_documents" and name == TSV_COLUMN)
    if type_ == "index":
        return name != TSV_INDEX
    return True
