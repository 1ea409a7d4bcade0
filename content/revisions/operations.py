"""History, comparison and restore of revisions."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from sqlalchemy import select

from content.extensions import db
from content.items.models import ContentItem
from content.items.operations import save_revision
from content.revisions.models import Revision


@dataclass(frozen=True)
class DiffLine:
    """One line of a comparison: ``op`` is ``same``, ``added`` or ``removed``."""

    op: str
    text: str


@dataclass(frozen=True)
class FieldDiff:
    """The comparison of one field (title, description, body) between two revisions."""

    field: str
    lines: list[DiffLine]

    @property
    def changed(self) -> bool:
        """Return whether the field differs."""
        return any(line.op != "same" for line in self.lines)


def history(item: ContentItem) -> list[Revision]:
    """Return the item's revisions, newest first."""
    return list(
        db.session.scalars(
            select(Revision).where(Revision.item_id == item.id).order_by(Revision.number.desc())
        )
    )


def diff_text(old: str, new: str) -> list[DiffLine]:
    """Compare two texts line by line."""
    lines = []
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        code, text = line[:2], line[2:]
        if code == "? ":
            continue  # ndiff's intra-line hints; the page marks whole lines
        lines.append(DiffLine({"  ": "same", "+ ": "added", "- ": "removed"}[code], text))
    return lines


def compare(old: Revision, new: Revision) -> list[FieldDiff]:
    """Compare two revisions field by field."""
    return [
        FieldDiff(name, diff_text(getattr(old, name), getattr(new, name)))
        for name in ("title", "description", "body")
    ]


def restore(item: ContentItem, old: Revision, *, actor, comment: str) -> Revision:
    """Make a new revision with the content of an older one (history is never rewritten)."""
    return save_revision(
        item,
        base_number=item.latest_revision_number,
        title=old.title,
        description=old.description,
        body=old.body,
        actor=actor,
        comment=comment,
    )
