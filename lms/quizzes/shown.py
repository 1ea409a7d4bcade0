"""The quiz item a learner's quiz page and start show: plain values kept per content version.

Both requests looked up the quiz's items, the revisions the reader may see and (the page)
that revision again: three statements for what every reader of a language who sees no
drafts gets alike. :func:`shown_quiz` keeps it as a :class:`ShownQuiz` through
:func:`~content.items.fragments.shared` (a saved revision, a publication or a move bumps
the content version); readers who may see drafts get it read afresh, as before.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, g
from flask_login import current_user

from content.items import operations as items
from content.items.fragments import shared
from content.items.urls import item_url
from lms.quizzes.settings.operations import quiz_item


@dataclass(frozen=True)
class ShownQuiz:
    """The quiz item shown (the page's language if it exists) and the revision the reader sees.

    Has the names of :class:`~content.items.models.ContentItem` that starting an attempt
    reads (``id``, ``language``, ``translation_group``).
    """

    id: int
    language: str
    translation_group: str
    url: str
    revision_number: int
    title: str


def shown_quiz(group: str) -> ShownQuiz:
    """Return the quiz item this reader may see, in the page's language if it exists.

    :raise NotFound: no such quiz, or none this reader may see.
    """

    def read() -> ShownQuiz:
        item = quiz_item(group, g.lang_code, current_user)
        if item is None:
            abort(404)
        revision = items.visible_revision(item, current_user)
        return ShownQuiz(
            item.id,
            item.language,
            item.translation_group,
            item_url(item),
            revision.number,
            revision.title,
        )

    return shared(("lms.shown_quiz", group, g.lang_code), read)
