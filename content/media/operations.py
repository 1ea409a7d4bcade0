"""Media files: the rules for uploads (type by content, size, names) and for deleting them."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import BinaryIO

import filetype
from flask import current_app
from sqlalchemy import select
from werkzeug.utils import secure_filename

from content.auth.models import User
from content.extensions import db
from content.i18n import _, _l
from content.items.models import ContentItem
from content.limits import format_file_size
from content.media import images, storage
from content.media.models import MediaFile
from content.revisions.models import Revision

logger = logging.getLogger(__name__)

#: Types we accept, as detected from the content, with their name for people.
#: Never SVG or HTML: a browser runs their scripts. The Office types are the zip-based
#: ones, detected from their first entries (``word/``, ``xl/``, ``ppt/``).
ALLOWED_TYPES = {
    "image/png": _l("PNG image"),
    "image/jpeg": _l("JPEG image"),
    "image/gif": _l("GIF image"),
    "image/webp": _l("WebP image"),
    "application/pdf": _l("PDF document"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _l("Word document"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _l("Excel workbook"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": _l(
        "PowerPoint presentation"
    ),
}
#: Longest kept part of an uploaded name before the extension.
MAX_STEM_LENGTH = 120


class MediaError(ValueError):
    """An upload broke a rule; the message is translated and shown beside the upload field."""


def type_label(mimetype: str) -> str:
    """Return the name of a media type for people ("PDF document")."""
    label = ALLOWED_TYPES.get(mimetype)
    return str(label) if label is not None else mimetype


def detect_type(data: bytes) -> tuple[str, str]:
    """Return the MIME type and extension the content shows, whatever the file is called.

    :raise MediaError: when the type is unknown or not allowed.
    """
    kind = filetype.guess(data)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        shown = kind.mime if kind is not None else _("unrecognised content")
        raise MediaError(_("This file type is not allowed: %(type)s.", type=shown))
    return kind.mime, kind.extension


def safe_filename(uploaded_name: str | None, extension: str) -> str:
    """Return the uploader's file name without paths or odd characters, with our extension.

    The extension is the detected type's, so the name cannot claim another type. A name
    with nothing left (``照片.png``) becomes ``file`` plus the extension.
    """
    # Some browsers send the whole path ("C:\\Users\\…\\photo.png"): keep the last part.
    name = (uploaded_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = secure_filename(stem).strip("._-")[:MAX_STEM_LENGTH].rstrip("._-")
    return f"{stem or 'file'}.{extension}"


@dataclass(frozen=True)
class CheckedUpload:
    """An accepted file: the bytes to keep (images cleaned), its type and size."""

    data: bytes
    mimetype: str
    extension: str
    width: int | None = None
    height: int | None = None


def check_upload(stream: BinaryIO) -> CheckedUpload:
    """Check a file as an upload would be checked, without keeping anything.

    :param stream: the file's bytes; at most ``MEDIA_MAX_BYTES`` + 1 are read.
    :raise MediaError: when the file is empty, too large, of a refused type or broken.
    """
    max_bytes = current_app.config["MEDIA_MAX_BYTES"]
    data = stream.read(max_bytes + 1)
    if not data:
        raise MediaError(_("The file is empty."))
    if len(data) > max_bytes:
        raise MediaError(
            _("The file is too large: at most %(size)s.", size=format_file_size(max_bytes))
        )
    mimetype, extension = detect_type(data)
    if mimetype not in images.FORMATS:
        return CheckedUpload(data, mimetype, extension)
    try:
        cleaned = images.clean_image(data, mimetype)
    except images.ImageTooLarge as exc:
        raise MediaError(_("The image has too many pixels. Make it smaller.")) from exc
    except images.UnreadableImage as exc:
        raise MediaError(_("The image could not be read. It may be damaged.")) from exc
    return CheckedUpload(cleaned.data, mimetype, extension, cleaned.width, cleaned.height)


def add_media(
    item: ContentItem, stream: BinaryIO, uploaded_name: str | None, *, uploader: User | None
) -> MediaFile:
    """Check an upload, keep it on disk and add its row to the session.

    :raise MediaError: when the file is empty, too large, of a refused type or broken.
    """
    checked = check_upload(stream)
    data, mimetype, extension = checked.data, checked.mimetype, checked.extension
    width, height = checked.width, checked.height

    stored_name = f"{uuid.uuid4().hex}.{extension}"
    storage.write_new_file(db.session(), stored_name, data)
    media = MediaFile(
        item=item,
        stored_name=stored_name,
        filename=safe_filename(uploaded_name, extension),
        mimetype=mimetype,
        size_bytes=len(data),
        width=width,
        height=height,
        uploader=uploader,
    )
    db.session.add(media)
    db.session.flush()
    logger.info("Media %s (%s) added to item %s", media.id, mimetype, item.id)
    return media


def delete_media(media: MediaFile) -> None:
    """Delete a media row; its file is removed once the deletion is committed."""
    db.session.delete(media)
    db.session.flush()
    logger.info("Media %s deleted from item %s", media.id, media.item_id)


def list_media(item: ContentItem) -> list[MediaFile]:
    """Return the item's media files, oldest first."""
    return list(
        db.session.scalars(
            select(MediaFile).where(MediaFile.item_id == item.id).order_by(MediaFile.id)
        )
    )


def item_title(item: ContentItem) -> str:
    """Return the title of the item's latest revision, else its path."""
    title = db.session.scalar(
        select(Revision.title).where(
            Revision.item_id == item.id, Revision.number == item.latest_revision_number
        )
    )
    return title or item.path
