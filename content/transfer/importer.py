"""Creating checked item sources in the site (``tracing-app content import``).

Everything goes through the content operations, so revisions, workflow events, signals
and the search index happen as for an editor's work. Nothing is committed here.
"""

from __future__ import annotations

from sqlalchemy import func, select

from content.auth.models import User, UserRole
from content.extensions import db
from content.i18n import _
from content.items import operations as items
from content.items.models import PENDING, PUBLISHED, ContentItem
from content.media.models import MediaFile
from content.media.operations import add_media
from content.revisions.models import Revision
from content.search.operations import index_item
from content.transfer.exporter import Counts
from content.transfer.format import TransferError, site_media
from content.transfer.reader import ItemSource
from content.users import operations as users
from content.workflow.operations import transition


def importing_account(email: str | None) -> User:
    """Return the account recorded as author and publisher: ``email``, else the first admin.

    :raise TransferError: no such account, or it may not both write and publish.
    """
    if email:
        try:
            user = users.get_user(email)
        except users.AccountError as exc:
            raise TransferError(str(exc)) from exc
    else:
        user = db.session.scalar(
            select(User)
            .join(UserRole)
            .where(UserRole.role == "admin", User.is_active_account.is_(True))
            .order_by(User.id)
            .limit(1)
        )
        if user is None:
            raise TransferError(
                _("There is no active administrator: create one, or name an account with --as.")
            )
    if not (user.can("content.edit") and user.can("content.review")):
        raise TransferError(
            _(
                "%(email)s may not write and publish content: name an administrator.",
                email=user.email,
            )
        )
    return user


def import_sources(sources: list[ItemSource], actor: User) -> dict[str, Counts]:
    """Create the items and media of sources that passed ``checks.check_sources``.

    Parents come before their children (sorted by path); translation sources and media
    references are linked once every item and file exists, so files may refer forward.

    :return: counts by language.
    """
    items.ensure_language_roots()
    importer = _Importer(actor)
    ordered = sorted(sources, key=lambda source: source.path.split("/"))
    for source in ordered:
        importer.add(source)
    importer.link(ordered)
    return importer.counts


class _Importer:
    def __init__(self, actor: User) -> None:
        self.actor = actor
        self.counts: dict[str, Counts] = {}
        self.created: dict[str, ContentItem] = {}
        self.revisions: list[Revision] = []
        self.media_ids: dict[tuple[str, str], int] = {}
        #: parent item id → position of its first imported child (after the children it had)
        self.first_positions: dict[int, int] = {}

    def add(self, source: ItemSource) -> None:
        meta = source.meta
        item = self.update_root(source) if source.is_root else self.create(source)
        self.created[source.path] = item
        counts = self.counts.setdefault(source.language, Counts())
        if not source.is_root:
            counts.items += 1
        for name in meta["media"]:
            with (source.media_folder / name).open("rb") as stream:
                media = add_media(item, stream, name, uploader=self.actor)
            self.media_ids[(source.path, name)] = media.id
            counts.media += 1

    def create(self, source: ItemSource) -> ContentItem:
        """Create an item with the workflow state and live revision its files describe.

        With a live file, the live text becomes revision 1 (published), the latest text
        revision 2; a pending item is then submitted again.
        """
        meta = source.meta
        parent = self.created.get(source.parent_path) or items.item_by_path(source.parent_path)
        if parent.id not in self.first_positions:
            self.first_positions[parent.id] = 1 + db.session.scalar(
                select(func.coalesce(func.max(ContentItem.position), -1)).where(
                    ContentItem.parent_id == parent.id
                )
            )
        first_meta, first_body = (
            (source.live.meta, source.live.body) if source.live else (meta, source.body)
        )
        item = items.create_item(
            parent,
            meta["type"],
            title=first_meta["title"],
            slug=meta["slug"],
            description=first_meta["description"],
            body=first_body,
            actor=self.actor,
        )
        self.revisions.append(items.latest(item))
        item.position = self.first_positions[parent.id] + meta["order"]
        item.translation_group = meta["translation_group"]
        item.needs_translation = meta["needs_translation"]
        if meta["state"] == PUBLISHED or source.live:
            transition(item, "publish", actor=self.actor)
        if source.live:
            self.save(item, meta, source.body)
        if meta["state"] == PENDING:
            transition(item, "submit", actor=self.actor)
        return item

    def update_root(self, source: ItemSource) -> ContentItem:
        """Give an existing language root the texts of its files (a new revision if needed).

        ``transition`` refuses roots, so a root is published the way
        ``ensure_language_roots`` does it: by making its latest revision the live one.
        """
        meta = source.meta
        root = items.language_root(source.language)
        shown_meta, shown_body = (
            (source.live.meta, source.live.body) if source.live else (meta, source.body)
        )
        current = items.latest(root)
        wanted = (shown_meta["title"].strip(), shown_meta["description"].strip(), shown_body)
        if root.live_revision_number != root.latest_revision_number or wanted != (
            current.title,
            current.description,
            current.body,
        ):
            self.save(root, shown_meta, shown_body)
            root.state = PUBLISHED
            root.live_revision_number = root.latest_revision_number
        if source.live:
            self.save(root, meta, source.body)  # a draft over the live text: state private
        root.needs_translation = meta["needs_translation"]
        index_item(root)
        return root

    def save(self, item: ContentItem, meta: dict, body: str) -> None:
        self.revisions.append(
            items.save_revision(
                item,
                base_number=item.latest_revision_number,
                title=meta["title"],
                description=meta["description"],
                body=body,
                actor=self.actor,
            )
        )

    def link(self, sources: list[ItemSource]) -> None:
        """Point translations at their sources and ``media:`` references at the new files."""
        for source in sources:
            target = source.meta["translation_of"]
            if target is not None:
                item = self.created[source.path]
                item.translation_source = self.created.get(target) or items.item_by_path(target)
                item.synced_source_revision = item.translation_source.latest_revision_number
        changed = set()
        for revision in self.revisions:
            body = site_media(revision.body, self.media_id)
            if body != revision.body:
                # These revisions were made moments ago in this transaction; their media
                # did not exist yet when they were saved, so their bodies are completed here.
                revision.body = body
                changed.add(revision.item_id)
        db.session.flush()
        for item in self.created.values():
            if item.id in changed:
                index_item(item)

    def media_id(self, path: str, name: str) -> int | None:
        """Return the id of an imported media file, else of the site's file of that name."""
        if (path, name) in self.media_ids:
            return self.media_ids[(path, name)]
        return db.session.scalar(
            select(MediaFile.id)
            .join(MediaFile.item)
            .where(ContentItem.path == path, MediaFile.filename == name)
            .order_by(MediaFile.id)
            .limit(1)
        )
