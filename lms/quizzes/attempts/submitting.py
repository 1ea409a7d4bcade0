"""Saving, submitting and grading attempts, each under the attempt's lock.

Grading happens here, on the server, with :func:`lms.quizzes.questions.grading.grade`.
Re-exported by :mod:`lms.quizzes.attempts.operations`, the module other parts import.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm.attributes import set_committed_value

from content.auth.models import utcnow
from content.extensions import db
from content.i18n import _
from lms.quizzes.attempts.asked import asked_questions, question_of, response_of
from lms.quizzes.attempts.errors import AttemptClosed
from lms.quizzes.attempts.models import IN_PROGRESS, SUBMITTED, Attempt, AttemptQuestion
from lms.quizzes.questions.grading import grade
from lms.quizzes.settings.rules import quiz_rules
from lms.signals import attempt_graded

CENT = Decimal("0.01")


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
    rows = []
    for attempt_question in attempt.questions:
        if attempt_question.slot not in responses:
            continue
        value = responses[attempt_question.slot]
        stored = None if value is None else json.dumps(value, ensure_ascii=False)
        if stored != attempt_question.response_json:
            rows.append({"row_id": attempt_question.id, "response_json": stored, "saved_dt": now})
            # What the UPDATE below writes, as if loaded: no unit of work for a dozen rows.
            set_committed_value(attempt_question, "response_json", stored)
            set_committed_value(attempt_question, "saved_dt", now)
    if rows:
        # One executemany on the table, as the ORM's flush sent, without its bookkeeping.
        questions = AttemptQuestion.__table__
        db.session.execute(
            update(questions)
            .where(questions.c.id == bindparam("row_id"))
            .values(response_json=bindparam("response_json"), saved_dt=bindparam("saved_dt")),
            rows,
        )
    db.session.flush()  # anything else pending (nothing, usually)
    return len(rows)


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
    settings = quiz_rules(attempt.quiz_group)
    score = max_score = Decimal(0)
    with db.session.no_autoflush:  # one flush of every grade at the end, not one per question
        graded = [(aq, question_of(aq)) for aq in asked_questions(attempt)]
    rows = []
    for attempt_question, question in graded:
        result = grade(question, response_of(attempt_question))
        marks = {
            "fraction": _decimal(result.fraction),
            "mark_awarded": result.score,
            "max_mark": question.mark,
        }
        rows.append({"row_id": attempt_question.id, **marks})
        # What the UPDATE below writes, as if loaded (see save_responses).
        for name, value in marks.items():
            set_committed_value(attempt_question, name, value)
        score += result.score
        max_score += question.mark
    if rows:
        questions = AttemptQuestion.__table__
        db.session.execute(
            update(questions)
            .where(questions.c.id == bindparam("row_id"))
            .values({name: bindparam(name) for name in ("fraction", "mark_awarded", "max_mark")}),
            rows,
        )
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
