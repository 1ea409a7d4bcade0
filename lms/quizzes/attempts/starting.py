"""Starting an attempt: who may start now, the questions drawn, and the attempt's rows.

Re-exported by :mod:`lms.quizzes.attempts.operations`, the module other parts import.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, select

from content.auth.models import utcnow
from content.extensions import db
from content.i18n import _
from content.items.models import ContentItem
from lms.quizzes.attempts.errors import QuizError
from lms.quizzes.attempts.models import IN_PROGRESS, Attempt, AttemptQuestion
from lms.quizzes.attempts.submitting import expire_if_overdue
from lms.quizzes.bank.pool import Drawable, draw_pool
from lms.quizzes.settings.models import QuizSettings
from lms.quizzes.settings.rules import QuizRules, quiz_rules
from lms.quizzes.shown import ShownQuiz


def current_attempts(user, quiz_group: str) -> list[Attempt]:
    """Return the user's attempts of this cycle (not archived), oldest first."""
    return list(
        db.session.scalars(
            select(Attempt)
            .where(
                Attempt.user_id == user.id,
                Attempt.quiz_group == quiz_group,
                Attempt.archived.is_(False),
            )
            .order_by(Attempt.number)
        )
    )


@dataclass(frozen=True)
class StartStatus:
    """Whether a learner may start an attempt now, and why not.

    :param open_attempt: an attempt in progress, to resume instead of starting.
    :param next_dt: when waiting ends (None: no wait).
    :param remaining: attempts left in this cycle (None: unlimited).
    :param attempts: the attempts of this cycle, oldest first (as read to decide).
    """

    allowed: bool
    reason: str | None
    open_attempt: Attempt | None
    next_dt: datetime | None
    remaining: int | None
    attempts: tuple[Attempt, ...] = ()
    #: The highest attempt number used, archived attempts included (0: none).
    last_number: int = 0


def start_status(user, settings: QuizRules | QuizSettings, *, now=None) -> StartStatus:
    """Apply the attempt limit, the waiting time and the close date.

    Attempts whose deadline passed are graded first ("graded when next touched"). One
    query reads the archived attempts too, for the next attempt's number.
    """
    now = now or utcnow()
    every = db.session.scalars(
        select(Attempt)
        .where(Attempt.user_id == user.id, Attempt.quiz_group == settings.quiz_group)
        .order_by(Attempt.number)
    ).all()
    attempts = [attempt for attempt in every if not attempt.archived]
    for attempt in attempts:
        expire_if_overdue(attempt, now=now)
    open_attempt = next((a for a in attempts if a.state == IN_PROGRESS), None)
    used = len(attempts)
    remaining = None if settings.attempt_limit is None else max(settings.attempt_limit - used, 0)
    submitted = [a for a in attempts if a.submitted_dt is not None]
    next_dt = None
    if submitted and settings.wait_minutes:
        next_dt = max(a.submitted_dt for a in submitted) + timedelta(minutes=settings.wait_minutes)
        if next_dt <= now:
            next_dt = None
    reason = None
    if open_attempt is not None:
        reason = _("You have an attempt in progress.")
    elif settings.close_dt is not None and now >= settings.close_dt:
        reason = _("This quiz is closed.")
    elif remaining == 0:
        reason = _("You have used all your attempts.")
    elif next_dt is not None:
        reason = _("You can start a new attempt after the waiting time.")
    return StartStatus(
        reason is None,
        reason,
        open_attempt,
        next_dt,
        remaining,
        tuple(attempts),
        last_number=every[-1].number if every else 0,
    )


def _draw_versions(settings: QuizRules, language: str, rng: random.Random) -> list[Drawable]:
    """Draw each category's questions at random; refuse when a category has too few."""
    drawn = []
    for draw in settings.draws:
        pool = draw_pool(draw.category_id, language)
        if len(pool) < draw.count:
            raise QuizError(_("This quiz cannot be taken yet: it has too few questions."))
        # Keep the bank's order within a category; shuffling (if asked) comes after.
        chosen = sorted(rng.sample(range(len(pool)), draw.count))
        drawn.extend(pool[index] for index in chosen)
    if not drawn:
        raise QuizError(_("This quiz cannot be taken yet: it has no questions."))
    if settings.shuffle_questions:
        rng.shuffle(drawn)
    return drawn


def _deadline(settings: QuizRules, now: datetime) -> datetime | None:
    """The end of the time limit, but never after the quiz closes."""
    ends = []
    if settings.time_limit_minutes:
        ends.append(now + timedelta(minutes=settings.time_limit_minutes))
    if settings.close_dt is not None:
        ends.append(settings.close_dt)
    return min(ends, default=None)


def start_attempt(
    user, item: ContentItem | ShownQuiz, *, now=None, seed: int | None = None
) -> Attempt:
    """Start an attempt of the quiz ``item`` (its language is the attempt's), or resume one.

    Records exactly which question versions are asked, in the order shown.

    :param seed: the attempt's random seed (tests); default a fresh random number.
    :raise QuizError: a rule refuses a new attempt, or the quiz has too few questions.
    """
    now = now or utcnow()
    settings = quiz_rules(item.translation_group)
    status = start_status(user, settings, now=now)
    if status.open_attempt is not None:
        return status.open_attempt
    if not status.allowed:
        raise QuizError(status.reason)
    seed = secrets.randbits(31) if seed is None else seed
    # Seeded on purpose (not for secrecy): the draw can be replayed from the stored seed.
    rng = random.Random(seed)  # noqa: S311
    versions = _draw_versions(settings, item.language, rng)
    # Numbers go on across cycles (archived attempts keep theirs): (user, quiz, number)
    # is unique, which also stops a double click from starting two attempts.
    attempt = Attempt(
        user_id=user.id,
        quiz_group=item.translation_group,
        quiz_item_id=item.id,
        language=item.language,
        number=status.last_number + 1,
        seed=seed,
        started_dt=now,
        deadline_dt=_deadline(settings, now),
        state=IN_PROGRESS,
        max_score=Decimal(0),
        archived=False,
    )
    rows = []
    for slot, version in enumerate(versions, start=1):
        rows.append(
            {"slot": slot, "question_version_id": version.version_id, "max_mark": version.mark}
        )
        attempt.max_score += version.mark
    db.session.add(attempt)
    db.session.flush()  # the attempt's id, for its questions
    # One executemany, not an INSERT … RETURNING per question (SQLite's ORM default).
    db.session.execute(insert(AttemptQuestion), [{"attempt_id": attempt.id, **row} for row in rows])
    db.session.expire(attempt, ["questions"])  # read when first used
    return attempt
