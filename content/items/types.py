"""Content types: what kinds of items exist and what they may contain."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app


@dataclass(frozen=True)
class ContentType:
    """A kind of content item; plugins add their own through ``tracing_content_types``.

    :param folderish: whether items of this type can contain others.
    :param allowed_children: type names allowed inside (None: any type).
    :param template: the template that shows an item of this type to readers.
    :param personal: whether that template shows the reader's own data (enrolment,
        attempts): signed-in readers then never get the page from the shared page cache.
    """

    name: str
    label: Any
    folderish: bool = False
    allowed_children: frozenset[str] | None = None
    template: str = "items/view.html"
    description: Any = ""
    extra: dict = field(default_factory=dict)
    personal: bool = False

    def allows(self, child_type: str) -> bool:
        """Return whether an item of ``child_type`` may be created inside this one."""
        return self.folderish and (
            self.allowed_children is None or child_type in self.allowed_children
        )


def init_content_types(app: Flask, found: list[list[ContentType]]) -> None:
    """Store the content types contributed by the plugins; a name used twice is an error."""
    types: dict[str, ContentType] = {}
    for content_types in found:
        for content_type in content_types:
            if content_type.name in types:
                raise ValueError(f"Content type {content_type.name!r} is registered twice")
            types[content_type.name] = content_type
    app.extensions["tracing.content_types"] = types


def content_types() -> dict[str, ContentType]:
    """Return the site's content types by name."""
    return current_app.extensions["tracing.content_types"]


def content_type(name: str) -> ContentType:
    """Return one content type; an unknown name falls back to a plain page type."""
    return content_types().get(name) or ContentType(name, name)


#: What "New item" offers first where the folder gives no hint: most items are pages.
PREFERRED_NEW_TYPE = "page"


def default_child_type(allowed: list[ContentType], sibling_types: list[str]) -> str:
    """Return the type "New item" starts with: the most common allowed type among the siblings.

    Ties and empty folders go to ``page`` when allowed, else to the first allowed type.

    :param allowed: the types the folder allows, in the order they are offered.
    :param sibling_types: the types of the items already in the folder.
    """
    names = [t.name for t in allowed]
    counts = {name: sibling_types.count(name) for name in names}
    preferred = PREFERRED_NEW_TYPE if PREFERRED_NEW_TYPE in names else names[0]
    return max(names, key=lambda name: (counts[name], name == preferred))
