"""Checking item sources against the site's rules before anything is written."""

from __future__ import annotations

import uuid
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from content.extensions import db
from content.i18n import _
from content.items.models import PUBLISHED, STATES, ContentItem
from content.items.operations import ContentError, check_slug
from content.items.types import content_type, content_types
from content.media.models import MediaFile
from content.media.operations import MediaError, check_upload, safe_filename
from content.transfer.format import INDEX, LIVE_MARKDOWN, MARKDOWN, MEDIA_FOLDER, media_references
from content.transfer.reader import ItemSource, Problem, entries

#: Longest title and description the revision table holds.
MAX_LENGTHS = {"title": 300, "description": 1000}
ROOT_TYPE = "folder"


def check_sources(sources: list[ItemSource]) -> list[Problem]:
    """Return every problem that would stop the sources from being imported as a whole."""
    checker = _Checker(sources)
    for source in sources:
        if source.meta is not None:
            checker.check(source)
    return checker.problems


def media_problem(file: Path, name: str) -> str | None:
    """Return why a media file would be refused as an upload (translated), or None."""
    try:
        with file.open("rb") as stream:
            extension = check_upload(stream).extension
    except MediaError as exc:
        return str(exc)
    expected = safe_filename(name, extension)
    if expected != name:
        return _("Rename the file to %(name)s, the name the site would give it.", name=expected)
    return None


class _NewFolder:
    """A folder without children, so ``check_slug`` applies only its rules for the slug itself.

    Its clash query looks for children of item id 0, which never exists; clashes with
    other files and with the site are checked here, with their own messages.
    """

    id = 0

    def __init__(self, is_root: bool) -> None:
        self.is_root = is_root


class _Checker:
    def __init__(self, sources: list[ItemSource]) -> None:
        self.problems: list[Problem] = []
        self.languages = current_app.config["LANGUAGES"]
        self.types = content_types()
        self.site = {item.path: item for item in db.session.scalars(select(ContentItem))}
        self.site_groups = {(i.translation_group, i.language): i.path for i in self.site.values()}
        query = select(ContentItem.path, MediaFile.filename).join(MediaFile.item)
        self.site_media = {tuple(row) for row in db.session.execute(query)}
        self.sources: dict[str, ItemSource] = {}
        self.groups: dict[tuple[str, str], str] = {}
        for source in sources:
            if source.path in self.sources:
                self.add(
                    source.file,
                    _("Another file in this folder uses the slug %(slug)s.", slug=source.slug),
                )
                continue
            self.sources[source.path] = source
            if source.meta is not None and isinstance(source.meta["translation_group"], str):
                key = (source.meta["translation_group"], source.language)
                self.groups.setdefault(key, source.path)
        self.import_media = {
            (source.path, name)
            for source in self.sources.values()
            if source.meta is not None
            for name in source.meta["media"]
        }

    def add(self, file: str, message: str) -> None:
        self.problems.append(Problem(file, message))

    def check(self, source: ItemSource) -> None:
        meta = source.meta
        if source.language not in self.languages:
            self.add(source.file, _("This language is not offered."))
            return
        if meta["language"] != source.language:
            self.add(
                source.file,
                _(
                    "The language must be %(language)s, as its folder says.",
                    language=source.language,
                ),
            )
        if meta["type"] not in self.types:
            self.add(source.file, _("Unknown content type."))
        if source.is_root:
            self.check_root(source)
        else:
            self.check_place(source)
            self.check_translation(source)
        self.check_workflow(source)
        self.check_texts(source.file, meta)
        if source.live is not None and source.live.meta is not None:
            self.check_texts(source.live.file, source.live.meta)
        self.check_media(source)
        self.check_references(source)

    def check_root(self, source: ItemSource) -> None:
        meta = source.meta
        if (
            meta["type"] != ROOT_TYPE
            or meta["slug"] != source.language
            or meta["order"] != 0
            or not meta["live"]
            or meta["state"] == "pending"
            or meta["translation_group"] is not None
            or meta["translation_of"] is not None
        ):
            self.add(
                source.file,
                _(
                    "A language root must be a live folder with slug %(slug)s, order 0, state "
                    "published or private, and no translation group or source.",
                    slug=source.language,
                ),
            )

    def check_place(self, source: ItemSource) -> None:
        """Check the slug, the file's form, the item's folder and what is there already."""
        meta = source.meta
        if meta["slug"] != source.slug:
            self.add(
                source.file,
                _("The slug must be %(slug)s, as the file name says.", slug=source.slug),
            )
        else:
            try:
                check_slug(_NewFolder(source.parent_path == source.language), meta["slug"])
            except ContentError as exc:
                self.add(source.file, str(exc))
        kind = self.types.get(meta["type"])
        if kind is not None and kind.folderish != source.as_folder:
            form = f"{meta['slug']}/{INDEX}{MARKDOWN}" if kind.folderish else f"{meta['slug']}.md"
            self.add(
                source.file,
                _("Items of type %(type)s are written as %(form)s.", type=meta["type"], form=form),
            )
        if source.path in self.site:
            self.add(source.file, _("An item already exists at this address in the site."))
        parent_type = self.parent_type(source)
        if parent_type is None:
            self.add(
                source.file,
                _(
                    "Its folder %(path)s is neither in the import nor in the site.",
                    path=source.parent_path,
                ),
            )
        elif kind is not None and not content_type(parent_type).allows(meta["type"]):
            self.add(source.file, _("This folder cannot hold this kind of item."))

    def parent_type(self, source: ItemSource) -> str | None:
        """Return the type of the item's folder (from its file, else the site), None if absent."""
        parent = self.sources.get(source.parent_path)
        if parent is not None:
            # A folder whose own file is broken is reported already: not its children too.
            return parent.meta["type"] if parent.meta is not None else ROOT_TYPE
        if source.parent_path == source.language:
            return ROOT_TYPE  # the import creates missing language roots
        found = self.site.get(source.parent_path)
        return found.type if found is not None else None

    def check_translation(self, source: ItemSource) -> None:
        """Check the translation group and the item ``translation_of`` names."""
        group = source.meta["translation_group"]
        if _is_uuid(group):
            self.check_group(source, group)
        else:
            self.add(
                source.file,
                _(
                    "translation_group must be a UUID such as %(example)s.",
                    example="0b0f6c1e-7d5a-4a36-9a4b-2f3c8d9e1a20",
                ),
            )
        target = source.meta["translation_of"]
        if target is None:
            return
        if target in self.sources:
            target_meta = self.sources[target].meta
            target_group = target_meta["translation_group"] if target_meta else group
        elif target in self.site:
            target_group = self.site[target].translation_group
        else:
            self.add(
                source.file,
                _(
                    "translation_of: there is no item %(path)s in the import or the site.",
                    path=target,
                ),
            )
            return
        if _is_uuid(group) and (target == source.path or target_group != group):
            self.add(
                source.file,
                _("translation_of must name another item of the same translation group."),
            )

    def check_group(self, source: ItemSource, group: str) -> None:
        """Check that no other item of the group is in this language, in the import or site."""
        key = (group, source.language)
        first = self.groups.get(key)
        other = first if first != source.path else None
        if other is None and source.path not in self.site:  # else: reported as existing
            other = self.site_groups.get(key)
        if other is not None:
            self.add(
                source.file,
                _(
                    "Another item of translation group %(group)s is in this language: %(path)s.",
                    group=group,
                    path=other,
                ),
            )

    def check_workflow(self, source: ItemSource) -> None:
        """Check that state, live and the live file tell one consistent story."""
        state, live = source.meta["state"], source.meta["live"]
        if state not in STATES:
            self.add(
                source.file,
                _("Unknown state %(state)s: use private, pending or published.", state=state),
            )
        elif state == PUBLISHED and not live:
            self.add(source.file, _("A published item must have live: true."))
        elif source.live is not None and (state == PUBLISHED or not live):
            self.add(
                source.live.file,
                _("Only an item with live: true and a state other than published has a live file."),
            )
        elif live and state != PUBLISHED and source.live is None:
            live_file = Path(source.file).name.removesuffix(MARKDOWN) + LIVE_MARKDOWN
            self.add(
                source.file,
                _(
                    "The item is live with changes not published yet: %(file)s, "
                    "what visitors see, is missing.",
                    file=live_file,
                ),
            )

    def check_texts(self, file: str, meta: dict) -> None:
        if not meta["title"].strip():
            self.add(file, _("A title is required."))
        for key, longest in MAX_LENGTHS.items():
            if len(meta[key].strip()) > longest:
                self.add(
                    file,
                    _("%(key)s is too long: at most %(num)d characters.", key=key, num=longest),
                )

    def check_media(self, source: ItemSource) -> None:
        """Check that the listed media files exist, are accepted uploads, and are all listed."""
        present = entries(source.media_folder) if source.media_folder is not None else {}
        folder = Path(source.file).parent / (Path(source.file).stem + MEDIA_FOLDER)
        listed = set()
        for name in source.meta["media"]:
            if name in listed:
                self.add(source.file, _("%(name)s is listed twice under media.", name=name))
                continue
            listed.add(name)
            file = present.get(name)
            if file is None or not file.is_file() or file.is_symlink():
                self.add(source.file, _("Media file %(name)s is missing.", name=name))
            elif problem := media_problem(file, name):
                self.add((folder / name).as_posix(), problem)
        for name in sorted(present.keys() - listed):
            self.add(
                (folder / name).as_posix(),
                _("Not listed under media in %(file)s.", file=Path(source.file).name),
            )

    def check_references(self, source: ItemSource) -> None:
        """Check that every ``media:`` reference names a file of the import or of the site."""
        bodies = [(source.file, source.body)]
        if source.live is not None:
            bodies.append((source.live.file, source.live.body))
        for file, body in bodies:
            for path, name in dict.fromkeys(media_references(body)):
                if (path, name) not in self.import_media and (path, name) not in self.site_media:
                    self.add(
                        file,
                        _(
                            "media:%(path)s/%(name)s names no media file of the import "
                            "or the site.",
                            path=path,
                            name=name,
                        ),
                    )


def _is_uuid(value: str | None) -> bool:
    """Return whether ``value`` is a UUID written as the site writes them (lower case)."""
    try:
        return value is not None and str(uuid.UUID(value)) == value
    except ValueError:
        return False
