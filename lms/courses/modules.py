"""What a module holds: its lessons and quizzes in every language, settings, prerequisites.

A module's items are the published lessons and quizzes of all its translations, one per
translation group, each shown in the learner's language when it exists there.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_login import AnonymousUserMixin
from sqlalchemy import select
from sqlalchemy.orm import aliased

from content.auth.models import User
from content.extensions import db
from content.items import operations as items
from content.items.fragments import fragment_cache
from content.items.models import ContentItem
from content.multilingual import operations as multilingual
from content.revisions.models import Revision
from lms.courses.models import ModulePrerequisite, ModuleSettings
from lms.quizzes.attempts import operations as quizzes

MODULE = "module"
LESSON = "lesson"
QUIZ = "quiz"


class CourseError(ValueError):
    """A refused action, with a message for the learner or trainer (and the form field)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class ModuleItem:
    """A lesson or quiz of a module as one learner sees it."""

    item: ContentItem
    revision: Revision
    done: bool = False

    @property
    def group(self) -> str:
        """Return the translation group (identity in every language)."""
        return self.item.translation_group

    @property
    def is_quiz(self) -> bool:
        """Return whether this is a quiz."""
        return self.item.type == QUIZ


# --- Modules and their items ---------------------------------------------------------


def live_members(group: str) -> dict[str, ContentItem]:
    """Return the published items of a translation group by language."""
    return {
        language: member
        for language, member in multilingual.translations_of_group(group).items()
        if member.is_live
    }


def module_in_language(module_group: str, language: str) -> ContentItem | None:
    """Return the published module in ``language``, else in any language, else None."""
    members = live_members(module_group)
    return members.get(language) or next(iter(members.values()), None)


def catalogue(language: str) -> list[tuple[ContentItem, Revision]]:
    """Return the published modules in ``language`` with their live revision, in site order."""
    modules = db.session.scalars(
        select(ContentItem)
        .where(
            ContentItem.type == MODULE,
            ContentItem.language == language,
            ContentItem.live_revision_number.is_not(None),
        )
        .order_by(ContentItem.path)
    )
    return [(module, items.live(module)) for module in modules]


def module_items(
    module: ContentItem, translations: dict[str, ContentItem] | None = None
) -> list[ModuleItem]:
    """Return the published lessons and quizzes of a module, in order, one per group.

    The module's own children come first, in their order; an item published only in
    another translation of the module follows, in that translation's language. Two
    queries: the children of every translation, then their live revisions.

    :param translations: ``live_members`` of the module's group, when the caller has them.
    """
    if translations is None:
        translations = live_members(module.translation_group)
    # This module first, then its other translations oldest first (a stable order).
    ordered = sorted(translations.values(), key=lambda m: (m.id != module.id, m.id))
    if module.id not in {m.id for m in ordered}:
        ordered.insert(0, module)
    rank = {translation.id: index for index, translation in enumerate(ordered)}
    children = db.session.scalars(
        select(ContentItem)
        .where(
            ContentItem.parent_id.in_(rank),
            ContentItem.type.in_((LESSON, QUIZ)),
            ContentItem.live_revision_number.is_not(None),
        )
        .order_by(ContentItem.position)
    ).all()
    chosen: dict[str, ContentItem] = {}
    for child in sorted(children, key=lambda c: rank[c.parent_id]):  # stable: keeps position
        chosen.setdefault(child.translation_group, child)
    # Learner pages show live revisions only, also to editors: pass an anonymous reader.
    shown = items.visible_revisions(list(chosen.values()), AnonymousUserMixin())
    return [ModuleItem(child, shown[child.id]) for child in chosen.values() if child.id in shown]


def module_item_groups(module_group: str) -> tuple[list[str], list[str]]:
    """Return the lesson groups and the quiz groups of a module (any language)."""
    module = module_in_language(module_group, "")
    if module is None:
        return [], []
    found = module_items(module)
    return (
        [entry.group for entry in found if not entry.is_quiz],
        [entry.group for entry in found if entry.is_quiz],
    )


def quizzes_in_modules() -> frozenset[str]:
    """Return the groups of the quizzes placed in some module (in any state or language).

    More than :func:`module_item_groups` would count (drafts too): what it is for is telling
    that grading a quiz completes no module, without reading the learner's enrolments.
    Kept per process and content version (placing or moving an item bumps it).
    """

    def read() -> frozenset[str]:
        module = aliased(ContentItem)
        return frozenset(
            db.session.scalars(
                select(ContentItem.translation_group)
                .join(module, ContentItem.parent_id == module.id)
                .where(ContentItem.type == QUIZ, module.type == MODULE)
                .distinct()
            )
        )

    return fragment_cache().get_or_make("lms.quizzes_in_modules", read)


def settings_of(module_group: str) -> ModuleSettings:
    """Return the module's settings (defaults when none were saved; not added)."""
    return db.session.get(ModuleSettings, module_group) or ModuleSettings(
        module_group=module_group, is_required_order=False, is_self_enrolment=True
    )


def prerequisites(module_group: str) -> list[str]:
    """Return the groups of the modules to complete before this one."""
    return list(
        db.session.scalars(
            select(ModulePrerequisite.required_group).where(
                ModulePrerequisite.module_group == module_group
            )
        )
    )


# --- Quizzes (owned by lms.quizzes, through the interfaces of the LMS contract) ---------


def quiz_done(user: User, quiz_group: str) -> bool:
    """Return whether the user passed the quiz (grade at or above its pass mark)."""
    return quizzes.quiz_passed(user, quiz_group)


def quiz_link(quiz_group: str, language: str) -> str | None:
    """Return the learner's page of a quiz in ``language`` (or a fallback), or None."""
    return quizzes.quiz_url(quiz_group, language)


def quizzes_required(quiz_groups: list[str]) -> list[str]:
    """Return the quizzes a learner must pass to complete the module: every one, exams too.

    A module whose exam is not passed is not complete: a learner who stopped after the last
    lesson would believe they were done.
    """
    return list(quiz_groups)
