"""The few things certification asks of courses and quizzes, in one place.

Certification only uses the interfaces agreed in the LMS contract
(``lms.courses.operations`` and ``lms.quizzes.attempts.operations``). They are imported when
called, not at import time, so this package also works in a site (or a test) where one
of those parts is missing: then no module counts as completed and no exam as taken.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from content.extensions import db


def completed_module_groups(user) -> set[str]:
    """Return the translation groups of the modules ``user`` completed."""
    try:
        from lms.courses.operations import completed_module_groups as completed
    except ImportError:
        return set()
    return set(completed(user))


def module_url(module_group: str, language: str) -> str | None:
    """Return the learner's page of a module in ``language`` (or another), or None."""
    try:
        from lms.courses.operations import module_url as url
    except ImportError:
        return None
    return url(module_group, language)


def quiz_grade(user, quiz_group: str) -> Decimal | None:
    """Return ``user``'s current grade (percent) in a quiz, or None without attempts."""
    try:
        from lms.quizzes.attempts.operations import quiz_grade as grade
    except ImportError:
        return None
    return grade(user, quiz_group)


def quiz_url(quiz_group: str, language: str) -> str | None:
    """Return the learner's page of a quiz in ``language`` (or another), or None."""
    try:
        from lms.quizzes.settings.operations import quiz_url as url
    except ImportError:
        return None
    return url(quiz_group, language)


def archive_attempts(user, quiz_group: str) -> None:
    """Start a fresh cycle of attempts at a quiz (recertification)."""
    try:
        from lms.quizzes.attempts.operations import archive_attempts as archive
    except ImportError:
        return
    archive(user, quiz_group)


def passing_attempt(user, quiz_group: str, min_percent: int):
    """Return the latest current (not archived) submitted attempt scoring ``min_percent``+.

    The certificate records it (and the question versions it asked) as its exam version.
    """
    try:
        from lms.quizzes.attempts.models import SUBMITTED, Attempt
    except ImportError:
        return None
    return db.session.scalar(
        select(Attempt)
        .where(
            Attempt.user_id == user.id,
            Attempt.quiz_group == quiz_group,
            Attempt.state == SUBMITTED,
            Attempt.archived.is_(False),
            Attempt.percent >= Decimal(min_percent),
        )
        .order_by(Attempt.submitted_dt.desc(), Attempt.id.desc())
        .limit(1)
    )
