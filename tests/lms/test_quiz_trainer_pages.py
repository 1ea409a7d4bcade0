"""Trainers' quiz pages: settings (draws per category, rules), results with filters and CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from content.extensions import db
from lms.quizzes.attempts import operations
from lms.quizzes.attempts.models import Attempt
from lms.quizzes.settings.models import QuizSettings
from tests.fixtures.lms_quizzes import single_choice
from tests.fixtures.web import post_form

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _take(user, quiz, right: int, minute: int = 0):
    """Submit an attempt with the first ``right`` questions right, the others wrong."""
    attempt = operations.start_attempt(user, quiz, now=T0 + timedelta(minutes=minute))
    responses = {}
    for attempt_question in attempt.questions:
        question = operations.question_of(attempt_question)
        is_right = attempt_question.slot <= right
        responses[attempt_question.slot] = next(
            o.id for o in question.options if (o.fraction == 1) == is_right
        )
    operations.submit_attempt(attempt, responses, now=T0 + timedelta(minutes=minute + 1))
    db.session.commit()
    return attempt


@pytest.fixture
def trainer(auth):
    return auth.login_as("trainer")


def test_settings_page_saves_draws_and_rules(
    client, trainer, create_quiz, add_quiz_category, add_bank_question
):
    quiz = create_quiz()
    extra = add_quiz_category("Extra questions")
    for n in range(40, 44):
        add_bank_question(single_choice(n), category=extra)
    url = f"/en/quizzes/{quiz.translation_group}/settings"
    page = client.get(url).get_data(as_text=True)
    assert "Extra questions" in page

    (first,) = operations.quiz_settings(quiz.translation_group).draws
    data = {
        f"draw_{first.category_id}": "",  # emptied: no longer drawn from
        f"draw_{extra.id}": "2",
        "shuffle_questions": "y",
        "attempt_limit": "3",
        "wait_minutes": "15",
        "time_limit_minutes": "20",
        "pass_percent": "75",
        "grading_method": "last",
        "review_score": "y",
        "review_when": "immediately",
        "is_exam": "y",
    }
    response = post_form(client, url, data)
    assert response.status_code == 302
    db.session.expire_all()
    settings = db.session.get(QuizSettings, quiz.translation_group)
    assert {d.category_id: d.count for d in settings.draws} == {extra.id: 2}
    assert settings.attempt_limit == 3
    assert settings.wait_minutes == 15
    assert settings.time_limit_minutes == 20
    assert settings.pass_percent == Decimal(75)
    assert settings.grading_method == "last"
    assert settings.is_exam
    assert not settings.shuffle_answers
    assert not settings.review_answers


def test_settings_errors_are_shown_beside_the_field(client, trainer, create_quiz):
    quiz = create_quiz()
    url = f"/en/quizzes/{quiz.translation_group}/settings"
    data = {"wait_minutes": "0", "pass_percent": "120", "review_when": "after_close"}
    response = post_form(client, url, data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Set a close date to show the review after the quiz closes." in page
    assert 'value="120"' in page


@pytest.fixture
def taken_quiz(create_quiz, create_user):
    """A quiz of 3 questions taken by four learners (two in French)."""
    quiz = create_quiz(pass_percent=Decimal(60))
    french = create_quiz(language="fr")
    # Same quiz in French: a linked translation shares the translation group.
    french.translation_group = quiz.translation_group
    db.session.commit()
    learners = [create_user(display_name=f"Learner {n}") for n in range(4)]
    _take(learners[0], quiz, right=3)
    _take(learners[1], quiz, right=2)
    _take(learners[2], french, right=1)
    _take(learners[3], french, right=0)
    return quiz


def test_results_page_shows_pass_rate_chart_and_questions(client, trainer, taken_quiz):
    page = client.get(f"/en/quizzes/{taken_quiz.translation_group}/results").get_data(as_text=True)
    assert "4 submitted attempts" in page
    assert "Pass rate of the attempts: 50.0%" in page
    assert "Median time taken: 1 min" in page
    assert "<svg" in page
    assert "Attempts per score band" in page  # the table beside the chart
    assert "Learner 3" in page
    assert "SECRET-NAME-1" in page  # trainers see the authors' question names


def test_results_filter_by_language(client, trainer, taken_quiz):
    url = f"/en/quizzes/{taken_quiz.translation_group}/results?language=fr"
    page = client.get(url).get_data(as_text=True)
    assert "2 submitted attempts" in page
    assert "Learner 0" not in page
    assert "Learner 2" in page


def test_csv_exports(client, trainer, taken_quiz):
    url = f"/en/quizzes/{taken_quiz.translation_group}/results.csv"
    response = client.get(f"{url}?kind=attempts")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert sorted(Decimal(row["percent"]) for row in rows) == [
        0,
        Decimal("33.33"),
        Decimal("66.67"),
        100,
    ]
    assert {row["language"] for row in rows} == {"nl", "fr"}
    assert {row["minutes"] for row in rows} == {"1"}

    response = client.get(f"{url}?kind=questions")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    # The bank has these questions in Dutch only: French learners got the Dutch versions.
    assert len(rows) == 3
    assert all(row["responses"] == "4" for row in rows)


def test_quiz_list_links_results(client, trainer, taken_quiz):
    page = client.get("/en/quizzes/").get_data(as_text=True)
    assert f"/en/quizzes/{taken_quiz.translation_group}/results" in page


def test_results_filter_by_cohort(client, trainer, taken_quiz):
    from lms.courses.models import Enrolment

    attempts = db.session.scalars(db.select(Attempt).order_by(Attempt.id)).all()
    for attempt in attempts[:2]:
        db.session.add(Enrolment(user_id=attempt.user_id, module_group="module-x", cohort="Maart"))
    db.session.commit()
    url = f"/en/quizzes/{taken_quiz.translation_group}/results?cohort=Maart"
    page = client.get(url).get_data(as_text=True)
    assert "2 submitted attempts" in page
    assert "Learner 0" in page
    assert "Learner 2" not in page


def test_attempt_record_proves_the_result(client, trainer, taken_quiz):
    attempt = db.session.scalars(db.select(Attempt).order_by(Attempt.id)).first()
    page = client.get(f"/en/quizzes/{taken_quiz.translation_group}/results").get_data(as_text=True)
    url = f"/en/quizzes/attempts/{attempt.id}/record"
    assert url in page
    page = client.get(url).get_data(as_text=True)
    for attempt_question in attempt.questions:
        version = attempt_question.version
        assert f"Question version {version.id}: “{version.name}”" in page
    assert page.count("Right.") == 3


def test_attempt_record_of_an_attempt_in_progress_is_not_shown(
    client, trainer, create_quiz, create_user
):
    attempt = operations.start_attempt(create_user(), create_quiz())
    db.session.commit()
    assert client.get(f"/en/quizzes/attempts/{attempt.id}/record").status_code == 404
