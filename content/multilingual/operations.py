"""Linked translations: one item per language in a translation group."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from content.extensions import db
from content.i18n import _
from content.items import operations as items
from content.items.models import ContentItem
from content.revisions.models import Revision
from content.revisions.operations import DiffLine, diff_words


@dataclass(frozen=True)
class TranslationRow:
    """A plugin's row of the translation overview (hook ``tracing_translation_rows``).

    :param section: the heading the row is listed under, e.g. "Quiz questions".
    :param title: what the row is, in ``language``.
    :param links: per site language, the URL of that language's version, or None when it
        is missing (languages left out count as missing).
    """

    section: str
    title: str
    language: str
    links: dict[str, str | None]


@dataclass(frozen=True)
class TranslationStatus:
    """What an overview shows for one item of a group in one language."""

    language: str
    item: ContentItem | None
    outdated: bool


def translations(item: ContentItem) -> dict[str, ContentItem]:
    """Return the items of the item's translation group by language (the item included).

    The language roots (``/nl/``, ``/fr/``…) are translations of each other, whatever group
    they were created with: each is the home page of its language.
    """
    if item.parent_id is None:
        return {
            member.language: member
            for member in db.session.scalars(
                select(ContentItem).where(ContentItem.parent_id.is_(None))
            )
        }
    return translations_of_group(item.translation_group)


def is_outdated(item: ContentItem) -> bool:
    """Return whether the source changed after this translation was last brought up to date."""
    source = item.translation_source
    if source is None or item.synced_source_revision is None:
        return False
    return source.latest_revision_number > item.synced_source_revision


def source_changes(item: ContentItem) -> list[tuple[str, list[DiffLine]]]:
    """Return what changed in the source since the translation was synced, per field."""
    source = item.translation_source
    old = items.revision(source, item.synced_source_revision)
    new = items.latest(source)
    return [
        (name, diff_words(getattr(old, name), getattr(new, name)))
        for name in ("title", "description", "body")
        if getattr(old, name) != getattr(new, name)
    ]


def translate(item: ContentItem, language: str, *, actor) -> ContentItem:
    """Create the item's translation in ``language``, prefilled from its latest revision.

    It goes into the translation of the item's folder in that language, or, when the folder
    has none, into that language's root. It is marked as needing translation.
    """
    if language not in current_app.config["LANGUAGES"] or language == item.language:
        raise items.ContentError(_("Choose another language."), "language")
    existing = translations(item)
    if language in existing:
        raise items.ContentError(_("This item already has a translation in that language."))
    parent = translations(item.parent).get(language) if item.parent else None
    if parent is None:
        items.ensure_language_roots()
        parent = items.language_root(language)
    source_revision: Revision = items.latest(item)
    slug = item.slug
    try:
        items.check_slug(parent, slug)
    except items.ContentError:
        slug = f"{item.slug}-{language}"
    translation = items.create_item(
        parent,
        item.type,
        title=source_revision.title,
        slug=slug,
        description=source_revision.description,
        body=source_revision.body,
        actor=actor,
        comment=_("Translation of %(path)s, to be translated", path=item.path),
    )
    translation.translation_group = item.translation_group
    translation.translation_source = item
    translation.synced_source_revision = item.latest_revision_number
    translation.needs_translation = True
    return translation


def mark_up_to_date(item: ContentItem) -> None:
    """Record that the translation now matches the source's latest revision."""
    if item.translation_source is not None:
        item.synced_source_revision = item.translation_source.latest_revision_number
    item.needs_translation = False


def overview(
    language_filter: str | None = None,
) -> list[tuple[ContentItem, list[TranslationStatus]]]:
    """Return, per translation group, the status in every site language (missing, outdated).

    :param language_filter: the language whose title names a row (the reader's language).
    """
    languages = current_app.config["LANGUAGES"]
    groups: dict[str, dict[str, ContentItem]] = {}
    for member in db.session.scalars(
        select(ContentItem).where(ContentItem.parent_id.is_not(None)).order_by(ContentItem.path)
    ):
        groups.setdefault(member.translation_group, {})[member.language] = member
    rows = []
    for members in groups.values():
        # Named in the reader's language when it exists, else in the source's language.
        first = members.get(language_filter) if language_filter else None
        first = first or next(
            (member for member in members.values() if member.translation_source_id is None),
            next(iter(members.values())),
        )
        statuses = [
            TranslationStatus(lang, member, member is not None and is_outdated(member))
            for lang in languages
            for member in [members.get(lang)]
        ]
        rows.append((first, statuses))
    return rows


def translations_to_do(language: str | None = None) -> list[ContentItem]:
    """Return translations that still need translating or are outdated."""
    query = select(ContentItem).where(ContentItem.translation_source_id.is_not(None))
    if language:
        query = query.where(ContentItem.language == language)
    return [
        item for item in db.session.scalars(query) if item.needs_translation or is_outdated(item)
    ]


def translations_of_group(group: str) -> dict[str, ContentItem]:
    """Return the items of a translation group by language."""
    members = db.session.scalars(select(ContentItem).where(ContentItem.translation_group == group))
    return {member.language: member for member in members}
