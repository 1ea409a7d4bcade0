"""Content items: folders and pages in a tree per language."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.auth.models import User, utcnow
from content.extensions import db

PRIVATE = "private"
PENDING = "pending"
PUBLISHED = "published"
STATES = (PRIVATE, PENDING, PUBLISHED)


def new_translation_group() -> str:
    """Return a fresh translation group identifier."""
    return str(uuid.uuid4())


class ContentState(db.Model):
    """One row: a counter bumped by every change visitors could notice (see page_cache)."""

    __tablename__ = "content_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<ContentState {self.version}>"


class ContentItem(db.Model):
    """A folder, page or plugin type (lesson, quiz…) in one language.

    What visitors see is the live revision (``live_revision_number``); editors work on
    the latest revision (``latest_revision_number``), whose workflow state is ``state``.
    ``latest_revision_number`` doubles as the version for conflict detection.
    """

    __tablename__ = "content_items"
    __table_args__ = (
        UniqueConstraint("translation_group", "language", name="uq_content_items_group_language"),
        Index("ix_content_items_parent_position", "parent_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(8))
    translation_group: Mapped[str] = mapped_column(
        String(36), index=True, default=new_translation_group
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("content_items.id", ondelete="CASCADE")
    )
    slug: Mapped[str] = mapped_column(String(120))
    #: Materialized URL path below the language root's parent, e.g. ``nl/opleiding/les-1``.
    path: Mapped[str] = mapped_column(String(1000), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    state: Mapped[str] = mapped_column(String(20), default=PRIVATE)
    latest_revision_number: Mapped[int] = mapped_column(default=0)
    live_revision_number: Mapped[int | None]
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)
    modified_dt: Mapped[datetime] = mapped_column(default=utcnow)
    #: For a translation: the item it was translated from, and the source revision it matches.
    translation_source_id: Mapped[int | None] = mapped_column(
        ForeignKey("content_items.id", ondelete="SET NULL")
    )
    synced_source_revision: Mapped[int | None]
    needs_translation: Mapped[bool] = mapped_column(default=False)

    parent: Mapped[ContentItem | None] = relationship(
        remote_side=[id], foreign_keys=[parent_id], back_populates="children"
    )
    children: Mapped[list[ContentItem]] = relationship(
        back_populates="parent",
        foreign_keys=[parent_id],
        order_by="ContentItem.position",
        cascade="all, delete-orphan",
    )
    translation_source: Mapped[ContentItem | None] = relationship(
        remote_side=[id], foreign_keys=[translation_source_id]
    )
    owner: Mapped[User | None] = relationship()

    @property
    def is_live(self) -> bool:
        """Return whether visitors can see a revision of this item."""
        return self.live_revision_number is not None

    @property
    def is_root(self) -> bool:
        """Return whether this is a language root (``/nl/``…)."""
        return self.parent_id is None

    def __repr__(self) -> str:
        return f"<ContentItem {self.id} {self.path} {self.state}>"
