"""Writing the site's content items and their media as files (``tracing-app content export``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from content.extensions import db
from content.i18n import _
from content.items import operations as items
from content.items.models import ContentItem
from content.items.types import content_type
from content.media import storage
from content.media.models import MediaFile
from content.revisions.models import Revision
from content.transfer.format import (
    INDEX,
    LIVE_MARKDOWN,
    MARKDOWN,
    MEDIA_FOLDER,
    TransferError,
    dump_document,
    portable_media,
)


@dataclass
class Counts:
    """How many items (language roots not counted) and media files one language has."""

    items: int = 0
    media: int = 0


def export_site(directory: Path) -> dict[str, Counts]:
    """Write every content item below ``directory``, one folder per language.

    Only the latest revision is written, and the live one beside it when visitors see an
    older revision. Output is deterministic: no ids, no dates, stable order, LF endings.

    :return: counts by language.
    :raise TransferError: the folder is not empty, or a media file is missing on disk.
    """
    if directory.exists() and any(directory.iterdir()):
        raise TransferError(_("The folder %(path)s is not empty.", path=directory))
    everything = list(db.session.scalars(select(ContentItem)))
    children: dict[int | None, list[ContentItem]] = {}
    for item in everything:
        children.setdefault(item.parent_id, []).append(item)
    for members in children.values():
        members.sort(key=lambda member: (member.position, member.id))
    paths = {item.id: item.path for item in everything}
    writer = _Writer(children, media_names(paths), paths)
    directory.mkdir(parents=True, exist_ok=True)
    for root in sorted(children.get(None, []), key=lambda root: root.path):
        writer.write(root, directory, order=0)
    return writer.counts


def media_names(paths: dict[int, str]) -> dict[int, list[tuple[MediaFile, str]]]:
    """Return each item's media (oldest first) with the name its file gets in the export.

    Names are unique per item, also where case does not count (macOS, Windows): a
    second ``photo.png`` becomes ``photo-2.png``.

    :raise TransferError: a media file is missing on disk (checked before writing).
    """
    found: dict[int, list[tuple[MediaFile, str]]] = {}
    query = select(MediaFile).order_by(MediaFile.item_id, MediaFile.id)
    for media in db.session.scalars(query):
        if not storage.file_path(media.stored_name).is_file():
            raise TransferError(
                _(
                    "The file of %(name)s is missing from the media folder.",
                    name=f"{paths[media.item_id]}/{media.filename}",
                )
            )
        entries = found.setdefault(media.item_id, [])
        taken = {name.casefold() for _media, name in entries}
        stem, dot, extension = media.filename.rpartition(".")
        if not dot:
            stem, extension = media.filename, ""
        name, number = media.filename, 2
        while name.casefold() in taken:
            name = f"{stem}-{number}{dot}{extension}"
            number += 1
        entries.append((media, name))
    return found


class _Writer:
    """Writes items recursively, counting per language."""

    def __init__(self, children, media, paths: dict[int, str]) -> None:
        self.children: dict[int | None, list[ContentItem]] = children
        self.media: dict[int, list[tuple[MediaFile, str]]] = media
        #: media id → (stored filename, what replaces its URL in bodies)
        self.references = {
            entry.id: (entry.filename, f"media:{paths[entry.item_id]}/{name}")
            for entries in media.values()
            for entry, name in entries
        }
        self.counts: dict[str, Counts] = {}

    def write(self, item: ContentItem, folder: Path, *, order: int) -> None:
        """Write the item's files into ``folder``, then its children's."""
        members = self.children.get(item.id, [])
        as_folder = item.is_root or content_type(item.type).folderish or bool(members)
        base, stem = (folder / item.slug, INDEX) if as_folder else (folder, item.slug)
        base.mkdir(exist_ok=True)
        counts = self.counts.setdefault(item.language, Counts())
        if not item.is_root:
            counts.items += 1
        latest = items.latest(item)
        shown = items.live(item)
        media = self.media.get(item.id, [])
        meta = self._front_matter(item, latest, order, media)
        self._write_text(base / f"{stem}{MARKDOWN}", meta, latest.body)
        if shown is not None and shown.number != latest.number:
            live_meta = {"title": shown.title, "description": shown.description}
            self._write_text(base / f"{stem}{LIVE_MARKDOWN}", live_meta, shown.body)
        if media:
            media_folder = base / f"{stem}{MEDIA_FOLDER}"
            media_folder.mkdir()
            for entry, name in media:
                (media_folder / name).write_bytes(storage.file_path(entry.stored_name).read_bytes())
                counts.media += 1
        for position, member in enumerate(members):
            self.write(member, base, order=position)

    def _front_matter(self, item: ContentItem, latest: Revision, order: int, media) -> dict:
        source = item.translation_source
        return {
            "type": item.type,
            "language": item.language,
            "slug": item.slug,
            "order": order,
            "state": item.state,
            "live": item.is_live,
            # A root's group is the site's own business: roots are never translations.
            "translation_group": None if item.is_root else item.translation_group,
            "translation_of": source.path if source is not None else None,
            "needs_translation": item.needs_translation,
            "title": latest.title,
            "description": latest.description,
            "media": [name for _entry, name in media],
        }

    def _write_text(self, path: Path, meta: dict, body: str) -> None:
        text = dump_document(meta, portable_media(body, self.references))
        path.write_text(text, encoding="utf-8", newline="\n")
