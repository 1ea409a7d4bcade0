"""What a quiz draws from: each category's current versions, kept per process.

Starting an attempt needed every current version of the drawn categories (all languages,
each with its question row) as ORM objects, and parsed the drawn ones again for their
mark: the largest part of a start. Each process now keeps the pool of a category and
language as plain values (version id and mark), stamped with the content version
(:mod:`content.items.fragments`). A flush that adds, changes or deletes a bank question
or version (a new version, a retired, moved or translated question, an import) bumps the
content version in its own transaction (:func:`watch_changes`), so every host draws from
the new pool within ``PAGE_CACHE_CHECK_SECONDS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from content.items.fragments import fragment_cache
from content.items.page_cache import bump_version_on_flush
from lms.quizzes.bank.models import BankQuestion, QuestionVersion
from lms.quizzes.bank.queries import current_versions, load_question


@dataclass(frozen=True)
class Drawable:
    """A question a quiz may draw: its current version in the pool's language, and its mark."""

    version_id: int
    mark: Decimal


def draw_pool(category_id: int, language: str) -> tuple[Drawable, ...]:
    """Return :func:`~lms.quizzes.bank.queries.current_versions` as plain values.

    Same questions in the same order; read once per process and content version.
    """

    def make() -> tuple[Drawable, ...]:
        return tuple(
            Drawable(version.id, load_question(version).mark)
            for version in current_versions(category_id, language)
        )

    return fragment_cache().get_or_make(("lms.draw_pool", category_id, language), make)


def watch_changes() -> None:
    """Bump the content version whenever a flush changes a bank question or version."""
    bank = (BankQuestion, QuestionVersion)
    bump_version_on_flush(new=bank, changed=bank)
