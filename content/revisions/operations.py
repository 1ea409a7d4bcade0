"""History, comparison and restore of revisions."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from sqlalchemy import select

from content.extensions import db
from content.i18n import _l
from content.items.models import ContentItem
from content.items.operations import save_revision
from content.revisions.models import Revision

#: The fields of a revision as people call them (diff headings).
FIELD_LABELS = {"title": _l("Title"), "description": _l("Summary"), "body": _l("Text")}


@dataclass(frozen=True)
class DiffLine:
    """One line of a comparison.

    ``op`` is ``same``, ``added``, ``removed``, ``changed`` (``parts`` holds its words as
    ``(same|added|removed, text)``) or ``skipped`` (``count`` unchanged lines left out).
    """

    op: str
    text: str
    parts: tuple[tuple[str, str], ...] = ()
    count: int = 0


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


#: Words, runs of white space and single punctuation marks (Markdown's `#`, `*`, `|`…).
WORD = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)
#: Lines less alike than this are shown as removed and added, not as a word soup.
ALIKE = 0.4
#: Unchanged lines kept around each change; longer unchanged stretches are folded.
CONTEXT = 2


def diff_words(old: str, new: str, context: int = CONTEXT) -> list[DiffLine]:
    """Compare two texts (Markdown) line by line, and changed lines word by word.

    Long unchanged stretches fold into one ``skipped`` line, keeping ``context`` lines
    around each change.
    """
    a, b = old.splitlines(), new.splitlines()
    lines: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            lines.extend(DiffLine("same", line) for line in a[i1:i2])
            continue
        removed, added = a[i1:i2], b[j1:j2]
        paired = min(len(removed), len(added)) if tag == "replace" else 0
        for before, after in zip(removed[:paired], added[:paired], strict=True):
            lines.extend(_changed_line(before, after))
        lines.extend(DiffLine("removed", line) for line in removed[paired:])
        lines.extend(DiffLine("added", line) for line in added[paired:])
    return _fold_unchanged(lines, context)


def _changed_line(before: str, after: str) -> list[DiffLine]:
    """Return a changed line as its words, or as removed + added when little is alike."""
    old_words, new_words = WORD.findall(before), WORD.findall(after)
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    if matcher.ratio() < ALIKE:
        return [DiffLine("removed", before), DiffLine("added", after)]
    parts: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            parts.append(("same", "".join(old_words[i1:i2])))
            continue
        if i2 > i1:
            parts.append(("removed", "".join(old_words[i1:i2])))
        if j2 > j1:
            parts.append(("added", "".join(new_words[j1:j2])))
    return [DiffLine("changed", after, tuple(parts))]


def _fold_unchanged(lines: list[DiffLine], context: int) -> list[DiffLine]:
    """Replace unchanged stretches longer than needed for context by one ``skipped`` line."""
    changed = [i for i, line in enumerate(lines) if line.op != "same"]
    if not changed:
        return lines
    keep = {
        i
        for index in changed
        for i in range(index - context, index + context + 1)
        if 0 <= i < len(lines)
    }
    folded: list[DiffLine] = []
    skipped = 0
    for i, line in enumerate(lines):
        if i in keep:
            if skipped:
                folded.append(DiffLine("skipped", "", count=skipped))
                skipped = 0
            folded.append(line)
        else:
            skipped += 1
    if skipped:
        folded.append(DiffLine("skipped", "", count=skipped))
    return folded


def compare(old: Revision, new: Revision) -> list[FieldDiff]:
    """Compare two revisions field by field (Markdown word by word)."""
    return [
        FieldDiff(name, diff_words(getattr(old, name), getattr(new, name)))
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
