"""A module's outline and its lessons' pages, derived once per content version.

What a learner's lesson page shows of the module (its items in order, their titles, the
setting of a required order) and of the lesson (title, rendered body, the language
switcher) is the same for every learner as long as the content does not change. It is
kept as plain values through :func:`content.items.fragments.shared`, stamped with the
content version: a publication, a reordering or a change of the module's settings bumps
that version, and every host makes these again within ``PAGE_CACHE_CHECK_SECONDS``.
Readers who may see drafts (trainers, editors) get them made afresh at every request.
What belongs to the learner (enrolment, lessons done) is read per request.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, render_template, url_for
from markupsafe import Markup

from content.extensions import db
from content.i18n import language_names
from content.items import operations as items
from content.items.fragments import shared
from content.items.models import ContentItem
from content.rendering import render_markdown
from lms.courses import modules


@dataclass(frozen=True)
class OutlineItem:
    """A lesson or quiz of a module, as every learner sees it (no ORM object)."""

    id: int
    group: str
    is_quiz: bool
    title: str


@dataclass(frozen=True)
class ModuleOutline:
    """A published module: its id, group, title and items in order, and its order setting."""

    id: int
    group: str
    title: str
    is_required_order: bool
    items: tuple[OutlineItem, ...]

    def lesson_groups(self) -> list[str]:
        """Return the translation groups of the module's lessons."""
        return [item.group for item in self.items if not item.is_quiz]


@dataclass
class Step:
    """An item of the outline for one learner: done or not (made per request)."""

    item: OutlineItem
    done: bool = False

    @property
    def group(self) -> str:
        """Return the translation group (identity in every language)."""
        return self.item.group

    @property
    def is_quiz(self) -> bool:
        """Return whether this is a quiz."""
        return self.item.is_quiz


def module_outline(module_id: int) -> ModuleOutline | None:
    """Return the outline of a published module, or None (no such published module)."""
    return shared(("module-outline", module_id), lambda: _make_outline(module_id))


def _make_outline(module_id: int) -> ModuleOutline | None:
    module = db.session.get(ContentItem, module_id)
    if module is None or module.type != modules.MODULE or not module.is_live:
        return None
    found = modules.module_items(module, modules.live_members(module.translation_group))
    return ModuleOutline(
        id=module.id,
        group=module.translation_group,
        title=items.live(module).title,
        is_required_order=modules.settings_of(module.translation_group).is_required_order,
        items=tuple(
            OutlineItem(entry.item.id, entry.group, entry.is_quiz, entry.revision.title)
            for entry in found
        ),
    )


@dataclass(frozen=True)
class LessonPage:
    """What a lesson page shows every learner alike, in one interface language."""

    title: str
    #: The breadcrumbs and the lesson (sanitized, rendered HTML).
    article: Markup
    #: The next item of the module (title and URL), or None after the last one.
    following: tuple[str, str] | None
    #: The language switcher: the same lesson in the module's other languages.
    alternatives: dict[str, str]


def lesson_page(outline: ModuleOutline, item: OutlineItem) -> LessonPage | None:
    """Return the shared part of a lesson page in the reader's interface language.

    :return: None when the lesson is no longer published (taken offline since this
        process last read the content version).
    """
    key = ("lesson-page", outline.id, item.id, g.lang_code)
    return shared(key, lambda: _make_lesson_page(outline, item))


def _make_lesson_page(outline: ModuleOutline, item: OutlineItem) -> LessonPage | None:
    lesson = db.session.get(ContentItem, item.id)
    revision = items.live(lesson) if lesson is not None else None
    if revision is None:
        return None
    index = outline.items.index(item)
    following = outline.items[index + 1] if index + 1 < len(outline.items) else None
    article = render_template(
        "courses/_lesson_article.html",
        outline=outline,
        lesson=lesson,
        revision=revision,
        body=render_markdown(revision.body),
        position=index + 1,
        count=len(outline.items),
    )
    return LessonPage(
        revision.title,
        Markup(article),  # noqa: S704 - rendered by an autoescaping template
        (following.title, step_url(outline, following)) if following else None,
        _alternatives(outline, item),
    )


def _alternatives(outline: ModuleOutline, item: OutlineItem) -> dict[str, str]:
    """Lead the language switcher to the same lesson in the module's other languages."""
    translations = modules.live_members(outline.group)
    lessons = modules.live_members(item.group)
    found = {}
    for code in language_names():
        module = translations.get(code)
        if module is None:
            continue
        found[code] = url_for("courses.view_module", lang_code=code, module_id=module.id)
        if code in lessons:
            found[code] = url_for(
                "courses.view_lesson",
                lang_code=code,
                module_id=module.id,
                item_id=lessons[code].id,
            )
    return found


def step_url(outline: ModuleOutline, item: OutlineItem) -> str:
    """Return the learner's URL of a lesson or quiz of the module."""
    endpoint = "courses.open_quiz" if item.is_quiz else "courses.view_lesson"
    return url_for(endpoint, module_id=outline.id, item_id=item.id)
