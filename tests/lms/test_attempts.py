"""Attempt rules: draws, shuffling, limits, waiting time, time limit, grading methods."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from content.auth.models import utcnow
from content.extensions import db
from lms import signals
from lms.quizzes.attempts import operations
from lms.quizzes.attempts.models import Attempt
from lms.quizzes.attempts.operations import AttemptClosed, QuizError
from lms.quizzes.settings.models import LAST
from tests.fixtures.lms_quizzes import single_choice

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def right_option(attempt, slot):
    """The id of the option worth 100% in the question at ``slot`` (as the server knows)."""
    question = operations.question_of(attempt.questions[slot - 1])
    return next(o.id for o in question.options if o.fraction == 1)


def answer_all(attempt, *, right=True):
    """Responses by slot: every question right (or every question wrong)."""
    responses = {}
    for attempt_question in attempt.questions:
        question = operations.question_of(attempt_question)
        options = [o for o in question.options if (o.fraction == 1) == right]
        responses[attempt_question.slot] = options[0].id
    return responses


@pytest.fixture
def learner(create_user):
    return create_user(email="learner@example.org")


def test_draw_takes_n_per_category_and_records_the_versions(
    create_quiz, add_quiz_category, add_bank_question, learner
):
    first, second = add_quiz_category(), add_quiz_category()
    pool_one = {add_bank_question(single_choice(n), category=first).id for n in range(10, 16)}
    pool_two = {add_bank_question(single_choice(n), category=second).id for n in range(20, 24)}
    quiz = create_quiz(draws={first: 2, second: 3})

    attempt = operations.start_attempt(learner, quiz, now=T0)

    asked = [q.question_version_id for q in attempt.questions]
    assert len(asked) == 5 == len(set(asked))
    assert len(set(asked) & pool_one) == 2
    assert len(set(asked) & pool_two) == 3
    assert [q.slot for q in attempt.questions] == [1, 2, 3, 4, 5]
    assert attempt.max_score == Decimal(5)


def test_draws_differ_between_attempts(create_quiz, add_quiz_category, add_bank_question, learner):
    category = add_quiz_category()
    for n in range(30, 50):
        add_bank_question(single_choice(n), category=category)
    quiz = create_quiz(draws={category: 3})
    drawn = set()
    for seed in range(6):
        attempt = operations.start_attempt(learner, quiz, now=T0, seed=seed)
        drawn.add(tuple(sorted(q.question_version_id for q in attempt.questions)))
        operations.submit_attempt(attempt, now=T0)
    assert len(drawn) > 1


def test_too_few_questions_refuses_to_start(
    create_quiz, add_quiz_category, add_bank_question, learner
):
    category = add_quiz_category()
    add_bank_question(category=category)
    quiz = create_quiz(draws={category: 2})
    with pytest.raises(QuizError, match="too few questions"):
        operations.start_attempt(learner, quiz, now=T0)


def test_order_of_questions_and_answers_is_stable_per_attempt(create_quiz, learner):
    quiz = create_quiz(questions=[single_choice(n) for n in range(1, 9)])
    attempt = operations.start_attempt(learner, quiz, now=T0)
    first = operations.public_questions(attempt)
    db.session.expire_all()
    again = operations.public_questions(db.session.get(Attempt, attempt.id))
    assert first == again
    # The options are really shuffled: not all in the same (id) order.
    orders = [[o["id"] for o in q["view"]["options"]] for q in first]
    assert any(order != sorted(order) for order in orders)


def test_questions_keep_the_bank_order_when_not_shuffled(create_quiz, learner):
    quiz = create_quiz(
        questions=[single_choice(n) for n in range(1, 9)],
        shuffle_questions=False,
        shuffle_answers=False,
    )
    attempt = operations.start_attempt(learner, quiz, now=T0)
    texts = [q["view"]["text"] for q in operations.public_questions(attempt)]
    assert texts == [f"Question {n}: which one?" for n in range(1, 9)]
    for shown in operations.public_questions(attempt):
        ids = [o["id"] for o in shown["view"]["options"]]
        assert ids == sorted(ids)


def test_starting_again_resumes_the_attempt_in_progress(create_quiz, learner):
    quiz = create_quiz()
    attempt = operations.start_attempt(learner, quiz, now=T0)
    assert operations.start_attempt(learner, quiz, now=T0 + timedelta(minutes=1)) is attempt


def test_submit_grades_on_the_server(create_quiz, learner):
    quiz = create_quiz(pass_percent=Decimal(60))
    attempt = operations.start_attempt(learner, quiz, now=T0)
    responses = answer_all(attempt, right=False)
    responses[1] = right_option(attempt, 1)
    responses[2] = right_option(attempt, 2)
    operations.submit_attempt(attempt, responses, now=T0 + timedelta(minutes=3))

    assert attempt.state == "submitted"
    assert attempt.score == Decimal(2)
    assert attempt.max_score == Decimal(3)
    assert attempt.percent == Decimal("66.67")
    assert attempt.passed is True
    assert [q.fraction for q in attempt.questions] == [Decimal(1), Decimal(1), Decimal(0)]
    with pytest.raises(AttemptClosed):
        operations.save_responses(attempt, {1: None}, now=T0 + timedelta(minutes=4))
    with pytest.raises(AttemptClosed):
        operations.submit_attempt(attempt, now=T0 + timedelta(minutes=4))


def test_attempt_graded_is_sent_once_with_the_graded_attempt(create_quiz, learner):
    quiz = create_quiz()
    attempt = operations.start_attempt(learner, quiz, now=T0)
    received = []

    def receiver(sender, attempt):
        received.append((attempt.id, attempt.state, attempt.percent))

    with signals.attempt_graded.connected_to(receiver):
        operations.submit_attempt(attempt, answer_all(attempt), now=T0)
    assert received == [(attempt.id, "submitted", Decimal(100))]


def test_an_unreadable_response_grades_zero(create_quiz, learner):
    quiz = create_quiz()
    attempt = operations.start_attempt(learner, quiz, now=T0)
    operations.submit_attempt(attempt, {1: "no-such-option", 2: ["a", "list"]}, now=T0)
    assert attempt.score == 0


def test_attempt_limit(create_quiz, learner):
    quiz = create_quiz(attempt_limit=2)
    for minute in (0, 10):
        attempt = operations.start_attempt(learner, quiz, now=T0 + timedelta(minutes=minute))
        operations.submit_attempt(attempt, now=T0 + timedelta(minutes=minute + 1))
    status = operations.start_status(learner, operations.quiz_settings(quiz.translation_group))
    assert not status.allowed
    assert status.remaining == 0
    with pytest.raises(QuizError, match="all your attempts"):
        operations.start_attempt(learner, quiz, now=T0 + timedelta(hours=1))


def test_waiting_time_between_attempts(create_quiz, learner):
    quiz = create_quiz(wait_minutes=30)
    attempt = operations.start_attempt(learner, quiz, now=T0)
    operations.submit_attempt(attempt, now=T0 + timedelta(minutes=5))
    settings = operations.quiz_settings(quiz.translation_group)

    status = operations.start_status(learner, settings, now=T0 + timedelta(minutes=20))
    assert not status.allowed
    assert status.next_dt == T0 + timedelta(minutes=35)
    with pytest.raises(QuizError, match="waiting time"):
        operations.start_attempt(learner, quiz, now=T0 + timedelta(minutes=34))
    again = operations.start_attempt(learner, quiz, now=T0 + timedelta(minutes=35))
    assert again.number == 2


def test_closed_quiz_starts_no_attempt(create_quiz, learner):
    quiz = create_quiz(close_dt=T0)
    with pytest.raises(QuizError, match="closed"):
        operations.start_attempt(learner, quiz, now=T0)


def test_time_limit_stops_saving_at_the_deadline(create_quiz, learner):
    quiz = create_quiz(time_limit_minutes=10)
    attempt = operations.start_attempt(learner, quiz, now=T0)
    assert attempt.deadline_dt == T0 + timedelta(minutes=10)
    operations.save_responses(attempt, {1: right_option(attempt, 1)}, now=T0 + timedelta(minutes=9))

    with pytest.raises(AttemptClosed, match="Time is up"):
        operations.save_responses(
            attempt, {2: right_option(attempt, 2)}, now=T0 + timedelta(minutes=10)
        )
    # Graded as it stood at the deadline: one right answer, the late one not saved.
    assert attempt.state == "submitted"
    assert attempt.submitted_dt == T0 + timedelta(minutes=10)
    assert attempt.score == Decimal(1)
    assert operations.response_of(attempt.questions[1]) is None


def test_late_submission_is_graded_as_it_stood_at_the_deadline(create_quiz, learner):
    quiz = create_quiz(time_limit_minutes=10)
    attempt = operations.start_attempt(learner, quiz, now=T0)
    operations.save_responses(attempt, {1: right_option(attempt, 1)}, now=T0 + timedelta(minutes=2))

    operations.submit_attempt(attempt, answer_all(attempt), now=T0 + timedelta(minutes=12))

    assert attempt.score == Decimal(1)
    assert attempt.submitted_dt == T0 + timedelta(minutes=10)


def test_an_expired_attempt_is_graded_when_next_touched(create_quiz, learner):
    quiz = create_quiz(time_limit_minutes=5)
    attempt = operations.start_attempt(learner, quiz, now=T0)
    assert attempt.state == "in_progress"
    settings = operations.quiz_settings(quiz.translation_group)
    status = operations.start_status(learner, settings, now=T0 + timedelta(hours=1))
    assert attempt.state == "submitted"
    assert status.open_attempt is None
    assert operations.quiz_grade(learner, quiz.translation_group) == Decimal(0)


def _take(learner, quiz, minute, right):
    attempt = operations.start_attempt(learner, quiz, now=T0 + timedelta(minutes=minute))
    responses = answer_all(attempt, right=False)
    for slot in range(1, right + 1):
        responses[slot] = right_option(attempt, slot)
    operations.submit_attempt(attempt, responses, now=T0 + timedelta(minutes=minute + 1))
    return attempt


def test_grading_method_highest(create_quiz, learner):
    quiz = create_quiz(pass_percent=Decimal(60))
    group = quiz.translation_group
    assert operations.quiz_grade(learner, group) is None
    assert not operations.quiz_passed(learner, group)
    _take(learner, quiz, 0, right=3)
    _take(learner, quiz, 10, right=1)
    assert operations.quiz_grade(learner, group) == Decimal(100)
    assert operations.quiz_passed(learner, group)


def test_grading_method_last(create_quiz, learner):
    quiz = create_quiz(pass_percent=Decimal(60), grading_method=LAST)
    group = quiz.translation_group
    _take(learner, quiz, 0, right=3)
    _take(learner, quiz, 10, right=1)
    assert operations.quiz_grade(learner, group) == Decimal("33.33")
    assert not operations.quiz_passed(learner, group)


def test_archived_attempts_no_longer_count(create_quiz, learner):
    quiz = create_quiz(attempt_limit=1, wait_minutes=600)
    group = quiz.translation_group
    _take(learner, quiz, 0, right=3)
    assert operations.quiz_passed(learner, group)

    assert operations.archive_attempts(learner, group) == 1

    assert operations.quiz_grade(learner, group) is None
    status = operations.start_status(
        learner, operations.quiz_settings(group), now=T0 + timedelta(minutes=2)
    )
    assert status.allowed
    assert status.remaining == 1
    fresh = operations.start_attempt(learner, quiz, now=T0 + timedelta(minutes=2))
    assert fresh.number == 2
    assert db.session.query(Attempt).filter_by(user_id=learner.id).count() == 2


def test_other_learners_attempts_do_not_count(create_quiz, learner, create_user):
    quiz = create_quiz(attempt_limit=1)
    _take(learner, quiz, 0, right=3)
    other = create_user()
    assert operations.start_attempt(other, quiz, now=T0).number == 1


def test_quiz_url_falls_back_to_another_language(create_quiz, app):
    quiz = create_quiz(language="fr")
    with app.test_request_context():
        assert operations.quiz_url(quiz.translation_group, "fr") == (
            f"/fr/quizzes/{quiz.translation_group}"
        )
        assert operations.quiz_url(quiz.translation_group, "nl") == (
            f"/fr/quizzes/{quiz.translation_group}"
        )
        assert operations.quiz_url("no-such-group", "nl") is None


@pytest.mark.db
def test_two_simultaneous_submissions_grade_once(app, create_quiz, learner):
    quiz = create_quiz()
    attempt = operations.start_attempt(learner, quiz, now=T0)
    db.session.commit()
    attempt_id = attempt.id
    graded, closed, errors = [], [], []
    barrier = threading.Barrier(2)

    def receiver(sender, attempt):
        graded.append(attempt.id)

    def submit() -> None:
        with app.app_context():
            try:
                mine = db.session.get(Attempt, attempt_id)
                barrier.wait()
                operations.submit_attempt(mine, now=T0 + timedelta(minutes=1))
                db.session.commit()
            except AttemptClosed:
                db.session.rollback()
                closed.append(True)
            except BaseException as exc:
                errors.append(exc)
            finally:
                db.session.remove()

    with signals.attempt_graded.connected_to(receiver):
        threads = [threading.Thread(target=submit) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert errors == []
    assert graded == [attempt_id]
    assert closed == [True]


def test_overdue_attempts_are_graded_by_the_periodic_command(create_quiz, learner, runner):
    quiz = create_quiz(time_limit_minutes=10)
    late = operations.start_attempt(learner, quiz, now=T0 - timedelta(hours=1))
    late.deadline_dt = T0 - timedelta(minutes=50)
    db.session.commit()

    assert operations.grade_overdue_attempts(now=T0) == 1
    assert late.state == "submitted"
    assert late.submitted_dt == T0 - timedelta(minutes=50)
    assert operations.grade_overdue_attempts(now=T0) == 0


def test_grade_overdue_attempts_command(create_quiz, learner, runner):
    quiz = create_quiz(time_limit_minutes=1)
    attempt = operations.start_attempt(learner, quiz, now=utcnow() - timedelta(minutes=2))
    db.session.commit()
    result = runner.invoke(args=["lms", "grade-overdue-attempts"])
    assert result.exit_code == 0, result.output
    assert "1" in result.output
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).state == "submitted"


def test_an_attempt_ends_when_the_quiz_closes(create_quiz, learner):
    quiz = create_quiz(time_limit_minutes=60, close_dt=T0 + timedelta(minutes=20))
    attempt = operations.start_attempt(learner, quiz, now=T0)
    assert attempt.deadline_dt == T0 + timedelta(minutes=20)
    untimed = create_quiz(close_dt=T0 + timedelta(minutes=20))
    assert operations.start_attempt(learner, untimed, now=T0).deadline_dt == T0 + timedelta(
        minutes=20
    )
