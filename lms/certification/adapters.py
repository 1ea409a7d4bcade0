"""The few things certification asks of courses and quizzes, in one place.

Certification only uses the interfaces agreed in the LMS contract
(``lms.courses.operations`` and ``lms.quizzes.attempts.operations``). They are imported when
called, not at import time, so this package also works in a site (or a test) where one
of those parts is missing: then no module counts as completed and no exam as taken.
"""

from __future__ import annotations

from decimal import Decimal


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


def exam_result(user, quiz_group: str, min_percent: int):
    """Return ``user``'s grade in a quiz (None: no attempt) and the attempt that earned it.

    The attempt is the latest current (not archived) submitted one scoring ``min_percent``
    or more (None: none does); the certificate records it and the question versions it
    asked as its exam version. One query for both.
    """
    try:
        from lms.quizzes.attempts.operations import quiz_result
    except ImportError:
        return None, None
    grade, graded = quiz_result(user, quiz_group)
    passing = [a for a in graded if a.percent >= Decimal(min_percent)]
    latest = max(passing, key=lambda a: (a.submitted_dt, a.id), default=None)
    return grade, latest
