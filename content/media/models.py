"""Media files: images and documents attached to a content item, kept on disk."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from content.auth.models import User, utcnow
from content.extensions import db
from content.items.models import ContentItem


class MediaFile(db.Model):
    """An uploaded file; the bytes live on disk under ``stored_name``, never under its name.

    ``filename`` is the uploader's name made safe, with the extension of the detected type;
    it appears in URLs and downloads. ``stored_name`` is random, so names cannot collide
    or be guessed from the disk.
    """

    __tablename__ = "media_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("content_items.id", ondelete="CASCADE"), index=True
    )
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    mimetype: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int]
    width: Mapped[int | None]
    height: Mapped[int | None]
    uploader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)

    # The ORM deletes an item's media with the item (not only the database's cascade), so
    # the files on disk go too (see content.media.storage).
    item: Mapped[ContentItem] = relationship(
        backref=backref("media_files", cascade="all, delete-orphan", order_by="MediaFile.id")
    )
    uploader: Mapped[User | None] = relationship()

    @property
    def is_image(self) -> bool:
        """Return whether browsers may show the file inline (an image type we re-encoded)."""
        return self.mimetype.startswith("image/")

    def __repr__(self) -> str:
        return f"<MediaFile {self.id} item={self.item_id} {self.filename} {self.mimetype}>"
