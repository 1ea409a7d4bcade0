"""Rules for content items: the tree, slugs, ordering, saving revisions."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app
from slugify import slugify
from sqlalchemy import func, select, tuple_

from content import signals
from content.auth.models import User, utcnow
from content.extensions import db
from content.i18n import _
from content.items.models import PRIVATE, PUBLISHED, ContentItem
from content.items.page_cache import bump_content_version
from content.items.types import content_type, content_types
from content.revisions.models import Revision

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class ContentError(ValueError):
    """A content rule was broken; the message is translated and safe to show."""

    def __init__(self, message: str, field: str | None = None) -> None:
        """Keep the message and the form field it belongs to."""
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class EditConflict(Exception):
    """Someone saved the item after the editor opened it."""

    item: ContentItem
    theirs: Revision
    base_number: int


def reserved_slugs() -> set[str]:
    """Return the first URL segments used by the site's own pages (``login``, ``admin``…)."""
    reserved = set()
    for rule in current_app.url_map.iter_rules():
        parts = rule.rule.strip("/").split("/")
        if len(parts) >= 2 and parts[0] == "<lang_code>" and not parts[1].startswith("<"):
            reserved.add(parts[1])
    return reserved


def item_by_path(path: str) -> ContentItem | None:
    """Return the item at a path like ``nl/opleiding/les-1``, or None."""
    return db.session.scalar(select(ContentItem).where(ContentItem.path == path.strip("/")))


def language_root(language: str) -> ContentItem | None:
    """Return the root folder of a language."""
    return item_by_path(language)


def ensure_language_roots() -> list[ContentItem]:
    """Create the missing language roots (``/nl/``…) as published folders."""
    created = []
    for language in current_app.config["LANGUAGES"]:
        if language_root(language) is None:
            root = ContentItem(
                type="folder", language=language, slug=language, path=language, position=0
            )
            db.session.add(root)
            db.session.flush()
            _add_revision(root, title=current_app.config["SITE_NAME"], actor=None, comment="")
            root.state = PUBLISHED
            root.live_revision_number = root.latest_revision_number
            created.append(root)
    return created


def revision(item: ContentItem, number: int | None) -> Revision | None:
    """Return revision ``number`` of an item (None: no such revision)."""
    if number is None:
        return None
    return db.session.scalar(
        select(Revision).where(Revision.item_id == item.id, Revision.number == number)
    )


def latest(item: ContentItem) -> Revision:
    """Return the revision editors work on."""
    return revision(item, item.latest_revision_number)


def live(item: ContentItem) -> Revision | None:
    """Return the revision visitors see, or None when the item is not published."""
    return revision(item, item.live_revision_number)


def visible_revision(item: ContentItem, user) -> Revision | None:
    """Return what this user sees of the item: drafts for those allowed, else the live one."""
    if user.is_authenticated and user.can("content.view_drafts"):
        return latest(item)
    return live(item)


def visible_revisions(members: list[ContentItem], user) -> dict[int, Revision]:
    """Return, in one query, the revision this user sees of each item (absent: none)."""
    drafts = user.is_authenticated and user.can("content.view_drafts")
    wanted = [
        (member.id, member.latest_revision_number if drafts else member.live_revision_number)
        for member in members
    ]
    wanted = [pair for pair in wanted if pair[1] is not None]
    if not wanted:
        return {}
    found = db.session.scalars(
        select(Revision).where(tuple_(Revision.item_id, Revision.number).in_(wanted))
    )
    return {found_revision.item_id: found_revision for found_revision in found}


def with_visible_revisions(members: list[ContentItem], user) -> list[tuple[ContentItem, Revision]]:
    """Pair each item with the revision this user sees, leaving out the ones they may not see."""
    shown = visible_revisions(members, user)
    return [(member, shown[member.id]) for member in members if member.id in shown]


def children(item: ContentItem, user) -> list[tuple[ContentItem, Revision]]:
    """Return the item's children this user may see, in order, each with its visible revision."""
    return with_visible_revisions(list(item.children), user)


def ancestors(item: ContentItem) -> list[ContentItem]:
    """Return the item's ancestors from the language root down, without the item."""
    chain = []
    node = item.parent
    while node is not None:
        chain.append(node)
        node = node.parent
    return list(reversed(chain))


def check_slug(parent: ContentItem, slug: str, item: ContentItem | None = None) -> str:
    """Return the slug when usable under ``parent``; raise ContentError otherwise."""
    if not SLUG_PATTERN.match(slug) or len(slug) > 120:
        raise ContentError(
            _("Use lower-case letters, digits and hyphens only (for example: quarantine-rules)."),
            "slug",
        )
    if parent.is_root and slug in reserved_slugs():
        raise ContentError(_("This address is used by the site itself. Choose another."), "slug")
    clash = select(ContentItem.id).where(
        ContentItem.parent_id == parent.id, ContentItem.slug == slug
    )
    if item is not None:
        clash = clash.where(ContentItem.id != item.id)
    if db.session.scalar(clash) is not None:
        raise ContentError(_("Another item in this folder already uses this address."), "slug")
    return slug


def suggest_slug(title: str) -> str:
    """Return a slug made from a title (accents dropped, lower case, hyphens)."""
    return slugify(title, max_length=80, word_boundary=True) or "item"


def _add_revision(item, *, title, description="", body="", actor, comment) -> Revision:
    number = item.latest_revision_number + 1
    new = Revision(
        item_id=item.id,
        number=number,
        title=title.strip(),
        description=description.strip(),
        body=body,
        author_id=actor.id if actor else None,
        comment=comment.strip(),
    )
    db.session.add(new)
    item.latest_revision_number = number
    item.modified_dt = utcnow()
    db.session.flush()
    signals.revision_saved.send(
        current_app._get_current_object(), item=item, revision=new, actor=actor
    )
    return new


def _check_title(title: str) -> None:
    if not title.strip():
        raise ContentError(_("A title is required."), "title")


def create_item(
    parent: ContentItem,
    type_name: str,
    *,
    title: str,
    slug: str = "",
    description: str = "",
    body: str = "",
    actor: User | None,
    comment: str = "",
) -> ContentItem:
    """Create an item (first revision, state private) inside a folder."""
    if type_name not in content_types():
        raise ContentError(_("Unknown content type."), "type")
    if not content_type(parent.type).allows(type_name):
        raise ContentError(_("This folder cannot hold this kind of item."), "type")
    _check_title(title)
    slug = check_slug(parent, slug.strip() or suggest_slug(title))
    position = db.session.scalar(
        select(func.coalesce(func.max(ContentItem.position), -1)).where(
            ContentItem.parent_id == parent.id
        )
    )
    item = ContentItem(
        type=type_name,
        language=parent.language,
        parent=parent,
        slug=slug,
        path=f"{parent.path}/{slug}",
        position=position + 1,
        owner_id=actor.id if actor else None,
    )
    db.session.add(item)
    db.session.flush()
    _add_revision(
        item, title=title, description=description, body=body, actor=actor, comment=comment
    )
    return item


def save_revision(
    item: ContentItem,
    *,
    base_number: int,
    title: str,
    description: str,
    body: str,
    actor: User | None,
    comment: str = "",
    slug: str | None = None,
) -> Revision:
    """Save an edit as a new revision; raise EditConflict when someone saved in between.

    Editing published content does not change what visitors see: the live revision stays
    until the new one is published (draft over live).
    """
    if base_number != item.latest_revision_number:
        raise EditConflict(item, latest(item), base_number)
    _check_title(title)
    if slug is not None and slug != item.slug and not item.is_root:
        rename(item, check_slug(item.parent, slug, item))
    new = _add_revision(
        item, title=title, description=description, body=body, actor=actor, comment=comment
    )
    if item.state == PUBLISHED:
        item.state = PRIVATE
    if item.needs_translation and _differs_from_source(item, title, description, body):
        item.needs_translation = False  # the translator wrote it: no longer "to translate"
    return new


def _differs_from_source(item: ContentItem, title: str, description: str, body: str) -> bool:
    """Return whether a translation's text is no longer the copy of its source."""
    source = item.translation_source
    copied = source and revision(source, item.synced_source_revision)
    if copied is None:
        return True
    return (title, description, body) != (copied.title, copied.description, copied.body)


def rename(item: ContentItem, slug: str) -> None:
    """Change an item's slug and the paths of everything below it."""
    old_prefix = item.path
    item.slug = slug
    item.path = f"{item.parent.path}/{slug}"
    for descendant in db.session.scalars(
        select(ContentItem).where(ContentItem.path.startswith(old_prefix + "/"))
    ):
        descendant.path = item.path + descendant.path[len(old_prefix) :]


def move(item: ContentItem, offset: int) -> None:
    """Move an item up (-1) or down (+1) among its siblings."""
    siblings = list(item.parent.children) if item.parent else []
    index = siblings.index(item)
    target = index + offset
    if 0 <= target < len(siblings):
        siblings[index], siblings[target] = siblings[target], siblings[index]
        for position, sibling in enumerate(siblings):
            sibling.position = position
        bump_content_version()


def items_in_state(state: str, language: str | None = None) -> list[ContentItem]:
    """Return items whose latest revision is in ``state``, most recently modified first."""
    query = select(ContentItem).where(
        ContentItem.state == state, ContentItem.parent_id.is_not(None)
    )
    if language:
        query = query.where(ContentItem.language == language)
    return list(db.session.scalars(query.order_by(ContentItem.modified_dt.desc())))
