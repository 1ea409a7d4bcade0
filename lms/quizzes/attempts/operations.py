"""The rules of quizzes: starting, saving, submitting and grading attempts; who may retry.

Every function that depends on the time takes ``now=`` (default: the current UTC time),
so tests can move the clock. Functions flush; the caller (a view) commits.
Grading happens here, on the server, with :func:`lms.quizzes.questions.grading.grade`; learners
only ever receive ``public_view()`` of a question before they submit.
"""

from __future__ import annotations

import json
import random
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask import current_app
from sqlalchemy import func, select, update

from content.auth.models import utcnow
from content.extensions import db
from content.i18n import _
from content.items.models import ContentItem
from lms.quizzes.attempts.asked import (
    answer_rng,
    asked_questions,
    is_answered,
    public_questions,
    question_of,
    response_of,
)
from lms.quizzes.attempts.models import IN_PROGRESS, SUBMITTED, Attempt, AttemptQuestion
from lms.quizzes.bank import queries as bank
from lms.quizzes.questions.grading import grade
from lms.quizzes.settings.models import HIGHEST, QuizSettings
from lms.quizzes.settings.operations import (
    QUIZ_TYPE,
    default_settings,
    quiz_item,
    quiz_items,
    quiz_settings,
    quiz_url,
    save_settings,
)
from lms.signals import attempt_graded

# Settings and quiz items live in lms.quizzes.settings.operations, the attempt's questions
# in asked.py; these names are part of this module's interface too (docs/lms-quizzes.md),
# used by courses, certification, the seed and the attempt pages.
__all__ = [
    "QUIZ_TYPE",
    "AttemptClosed",
    "QuizError",
    "answer_rng",
    "archive_attempts",
    "asked_questions",
    "default_settings",
    "grade_overdue_attempts",
    "is_answered",
    "public_questions",
    "question_of",
    "quiz_grade",
    "quiz_item",
    "quiz_items",
    "quiz_passed",
    "quiz_result",
    "quiz_settings",
    "quiz_url",
    "response_of",
    "save_settings",
    "start_attempt",
    "submit_attempt",
]

CENT = Decimal("0.01")


class QuizError(Exception):
    """A rule refuses what the learner asked; the message can be shown as is."""


class AttemptClosed(QuizError):
    """The attempt takes no more answers (submitted, or its deadline has passed)."""


# Attempts: who may start ------------------------------------------------------------


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


def start_status(user, settings: QuizSettings, *, now=None) -> StartStatus:
    """Apply the attempt limit, the waiting time and the close date.

    Attempts whose deadline passed are graded first ("graded when next touched").
    """
    now = now or utcnow()
    attempts = current_attempts(user, settings.quiz_group)
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
    return StartStatus(reason is None, reason, open_attempt, next_dt, remaining, tuple(attempts))


def _draw_versions(settings: QuizSettings, language: str, rng: random.Random) -> list:
    """Draw each category's questions at random; refuse when a category has too few."""
    drawn = []
    for draw in settings.draws:
        pool = bank.current_versions(draw.category_id, language)
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


def _deadline(settings: QuizSettings, now: datetime) -> datetime | None:
    """The end of the time limit, but never after the quiz closes."""
    ends = []
    if settings.time_limit_minutes:
        ends.append(now + timedelta(minutes=settings.time_limit_minutes))
    if settings.close_dt is not None:
        ends.append(settings.close_dt)
    return min(ends, default=None)


def start_attempt(user, item: ContentItem, *, now=None, seed: int | None = None) -> Attempt:
    """Start an attempt of the quiz ``item`` (its language is the attempt's), or resume one.

    Records exactly which question versions are asked, in the order shown.

    :param seed: the attempt's random seed (tests); default a fresh random number.
    :raise QuizError: a rule refuses a new attempt, or the quiz has too few questions.
    """
    now = now or utcnow()
    settings = quiz_settings(item.translation_group)
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
    last = db.session.scalar(
        select(func.max(Attempt.number)).where(
            Attempt.user_id == user.id, Attempt.quiz_group == item.translation_group
        )
    )
    attempt = Attempt(
        user_id=user.id,
        quiz_group=item.translation_group,
        quiz_item_id=item.id,
        language=item.language,
        number=(last or 0) + 1,
        seed=seed,
        started_dt=now,
        deadline_dt=_deadline(settings, now),
        state=IN_PROGRESS,
        max_score=Decimal(0),
        archived=False,
    )
    for slot, version in enumerate(versions, start=1):
        mark = bank.load_question(version).mark
        attempt.questions.append(
            AttemptQuestion(slot=slot, question_version_id=version.id, max_mark=mark)
        )
        attempt.max_score += mark
    db.session.add(attempt)
    db.session.flush()
    return attempt


# Attempts: saving, submitting, grading ----------------------------------------------


#: ``session.info`` key: attempt id -> the transaction that holds its lock.
_LOCKED = "lms.locked_attempts"


def lock_attempt(attempt: Attempt) -> None:
    """Lock the attempt for this transaction and reload it: saves, submission and expiry queue.

    A no-op UPDATE takes the row lock on PostgreSQL and the write lock on SQLite (whose
    reads take none), waiting for a concurrent request to commit; its RETURNING reloads
    the attempt in the same statement, and the questions are read afresh when next used.
    Two tabs or a double click never grade an attempt twice, and no answer is saved into
    an attempt graded meanwhile. Once per transaction: the lock holds until its end.
    """
    session = db.session()  # the request's Session (a scoped session has no transactions)
    locked = session.info.setdefault(_LOCKED, {})
    if locked.get(attempt.id) is not None and locked[attempt.id] is session.get_transaction():
        return
    session.flush()
    session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id)
        .values(state=Attempt.state)
        .returning(Attempt)
        .execution_options(populate_existing=True, synchronize_session=False)
    ).all()
    session.expire(attempt, ["questions"])
    locked[attempt.id] = session.get_transaction()


def lock_own_attempt(attempt_id: int, user_id: int) -> Attempt | None:
    """Lock and load a user's attempt in one statement (a POST's first read); None: not theirs.

    The same no-op ``UPDATE … RETURNING`` as :func:`lock_attempt`, filtered by owner, so
    another learner's attempt is neither locked nor loaded.
    """
    session = db.session()
    attempt = session.execute(
        update(Attempt)
        .where(Attempt.id == attempt_id, Attempt.user_id == user_id)
        .values(state=Attempt.state)
        .returning(Attempt)
        .execution_options(populate_existing=True, synchronize_session=False)
    ).scalar_one_or_none()
    if attempt is not None:
        session.info.setdefault(_LOCKED, {})[attempt.id] = session.get_transaction()
    return attempt


def is_overdue(attempt: Attempt, now: datetime) -> bool:
    """Return whether an attempt in progress has reached its deadline."""
    return (
        attempt.state == IN_PROGRESS
        and attempt.deadline_dt is not None
        and now >= attempt.deadline_dt
    )


def expire_if_overdue(attempt: Attempt, *, now=None) -> bool:
    """Grade an attempt whose deadline passed, as its answers stood then; True if it did."""
    now = now or utcnow()
    if not is_overdue(attempt, now):
        return False
    lock_attempt(attempt)  # another request may have graded it meanwhile
    if not is_overdue(attempt, now):
        return False
    _grade_attempt(attempt, at=attempt.deadline_dt)
    return True


def grade_overdue_attempts(*, now=None) -> int:
    """Grade every attempt whose deadline passed and nobody touched since; return how many.

    Overdue attempts are otherwise graded when next touched; a periodic job
    (``tracing-app lms grade-overdue-attempts``) makes the grade, and a certificate it
    earns, independent of the learner coming back.
    """
    now = now or utcnow()
    overdue = db.session.scalars(
        select(Attempt).where(
            Attempt.state == IN_PROGRESS,
            Attempt.deadline_dt.is_not(None),
            Attempt.deadline_dt <= now,
        )
    ).all()
    return sum(expire_if_overdue(attempt, now=now) for attempt in overdue)


def save_responses(attempt: Attempt, responses: Mapping[int, Any], *, now=None) -> int:
    """Save responses by slot while the attempt is in progress; return how many changed.

    :raise AttemptClosed: the attempt was submitted or its deadline passed (it is then
        graded as it stood at the deadline; nothing of this call is saved).
    """
    now = now or utcnow()
    lock_attempt(attempt)
    if attempt.state != IN_PROGRESS:
        raise AttemptClosed(_("This attempt has been submitted."))
    if expire_if_overdue(attempt, now=now):
        raise AttemptClosed(_("Time is up: the attempt was graded with the answers saved in time."))
    changed = 0
    for attempt_question in attempt.questions:
        if attempt_question.slot not in responses:
            continue
        value = responses[attempt_question.slot]
        stored = None if value is None else json.dumps(value, ensure_ascii=False)
        if stored != attempt_question.response_json:
            attempt_question.response_json = stored
            attempt_question.saved_dt = now
            changed += 1
    db.session.flush()
    return changed


def submit_attempt(attempt: Attempt, responses: Mapping[int, Any] | None = None, *, now=None):
    """Save the last responses (if given and in time) and grade the attempt.

    A submission after the deadline grades the attempt as it stood at the deadline.

    :raise AttemptClosed: the attempt was already submitted.
    """
    now = now or utcnow()
    lock_attempt(attempt)
    if attempt.state != IN_PROGRESS:
        raise AttemptClosed(_("This attempt has been submitted."))
    if expire_if_overdue(attempt, now=now):
        return attempt
    if responses is not None:
        save_responses(attempt, responses, now=now)
    _grade_attempt(attempt, at=now)
    return attempt


def _decimal(fraction) -> Decimal:
    return (Decimal(fraction.numerator) / Decimal(fraction.denominator)).quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_UP
    )


def _grade_attempt(attempt: Attempt, *, at: datetime) -> None:
    """Grade every question on the server, total the attempt, and announce it."""
    settings = quiz_settings(attempt.quiz_group)
    score = max_score = Decimal(0)
    with db.session.no_autoflush:  # one flush of every grade at the end, not one per question
        graded = [(aq, question_of(aq)) for aq in asked_questions(attempt)]
    for attempt_question, question in graded:
        result = grade(question, response_of(attempt_question))
        attempt_question.fraction = _decimal(result.fraction)
        attempt_question.mark_awarded = result.score
        attempt_question.max_mark = question.mark
        score += result.score
        max_score += question.mark
    attempt.score = score
    attempt.max_score = max_score
    attempt.percent = (
        (score * 100 / max_score).quantize(CENT, rounding=ROUND_HALF_UP)
        if max_score
        else Decimal(0)
    )
    attempt.passed = attempt.percent >= settings.pass_percent
    attempt.state = SUBMITTED
    attempt.submitted_dt = at
    db.session.flush()
    attempt_graded.send(current_app._get_current_object(), attempt=attempt)


# Grades across attempts (the contract's interface) -----------------------------------


def quiz_result(user, quiz_group: str, attempts=None) -> tuple[Decimal | None, list[Attempt]]:
    """Return the user's grade (as :func:`quiz_grade`) and the graded attempts it counts.

    One query for both: certification reads the grade and the attempt that earned it.

    :param attempts: :func:`current_attempts`, when the caller has just read them.
    """
    if attempts is None:
        attempts = current_attempts(user, quiz_group)
    graded = [a for a in attempts if a.state == SUBMITTED]
    if not graded:
        return None, []
    if quiz_settings(quiz_group).grading_method == HIGHEST:
        return max(a.percent for a in graded), graded
    return graded[-1].percent, graded


def quiz_grade(user, quiz_group: str) -> Decimal | None:
    """Return the user's grade in percent by the quiz's grading method; None: no attempt.

    Counts submitted attempts of the current cycle (archived ones do not count).
    """
    return quiz_result(user, quiz_group)[0]


def quiz_passed(user, quiz_group: str) -> bool:
    """Return whether the user's grade reaches the quiz's pass mark."""
    result = quiz_grade(user, quiz_group)
    return result is not None and result >= quiz_settings(quiz_group).pass_percent


def archive_attempts(user, quiz_group: str) -> int:
    """Start a fresh cycle: earlier attempts stay recorded but no longer count.

    They leave the attempt limit, the waiting time and the grade; an attempt in progress
    is archived too. Return how many attempts were archived.
    """
    result = db.session.execute(
        update(Attempt)
        .where(
            Attempt.user_id == user.id,
            Attempt.quiz_group == quiz_group,
            Attempt.archived.is_(False),
        )
        .values(archived=True)
        .execution_options(synchronize_session="fetch")
    )
    db.session.flush()
    return result.rowcount
