"""Revisions: every save of an item, kept for history, comparison and restore."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.auth.models import User, utcnow
from content.extensions import db


class Revision(db.Model):
    """One saved version of an item: every save makes one, nothing is overwritten."""

    __tablename__ = "content_revisions"
    __table_args__ = (
        UniqueConstraint("item_id", "number", name="uq_content_revisions_item_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("content_items.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(String(1000), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)
    comment: Mapped[str] = mapped_column(String(500), default="")

    author: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Revision {self.item_id}#{self.number}>"
