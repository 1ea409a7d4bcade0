"""The learner's quiz pages: intro, attempt (with and without JavaScript), submit, review."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from content.auth.models import utcnow
from content.extensions import db
from content.items.urls import item_url
from lms.quizzes.attempts import operations
from lms.quizzes.attempts.models import Attempt
from lms.quizzes.settings.models import NEVER
from tests.fixtures.web import csrf_token, post_form


def _attempt_of(user) -> Attempt:
    db.session.expire_all()
    return db.session.query(Attempt).filter_by(user_id=user.id).order_by(Attempt.id.desc()).first()


def _right_form(attempt: Attempt, *, right: bool = True) -> dict:
    data = {}
    for attempt_question in attempt.questions:
        question = operations.question_of(attempt_question)
        option = next(o for o in question.options if (o.fraction == 1) == right)
        data[f"q{attempt_question.slot}"] = option.id
    return data


@pytest.fixture
def learner(auth):
    return auth.login_as(None, locale="nl")


def test_intro_start_answer_without_js_submit_and_review(client, learner, create_quiz):
    quiz = create_quiz(attempt_limit=3, pass_percent=Decimal(60))
    intro_url = f"/nl/quizzes/{quiz.translation_group}"

    page = client.get(intro_url).get_data(as_text=True)
    assert "3 questions" in page or "3 vragen" in page
    assert "/start" in page

    response = post_form(client, f"{intro_url}/start", {})
    attempt = _attempt_of(learner)
    assert response.status_code == 302
    assert response.location.endswith(f"/nl/quizzes/attempts/{attempt.id}")

    page = client.get(response.location).get_data(as_text=True)
    for attempt_question in attempt.questions:
        assert f'name="q{attempt_question.slot}"' in page
    assert 'src="/quizzes-static/quizzes/attempt.js"' in page

    # Without JavaScript: "Finish" saves the answers, then asks to confirm.
    data = {**_right_form(attempt), "_action": "finish"}
    response = post_form(client, f"/nl/quizzes/attempts/{attempt.id}", data)
    assert response.location.endswith(f"/nl/quizzes/attempts/{attempt.id}/submit")
    assert _attempt_of(learner).state == "in_progress"
    confirm = client.get(response.location).get_data(as_text=True)
    assert "unanswered" not in confirm

    response = post_form(client, f"/nl/quizzes/attempts/{attempt.id}/submit", {})
    assert response.location.endswith(f"/nl/quizzes/attempts/{attempt.id}/review")
    attempt = _attempt_of(learner)
    assert attempt.state == "submitted"
    assert attempt.percent == Decimal(100)
    review = client.get(response.location).get_data(as_text=True)
    assert "SECRET-FEEDBACK-1" in review or "SECRET-FEEDBACK" in review

    # Back on the intro page: the attempt is listed, a new one may start.
    page = client.get(intro_url).get_data(as_text=True)
    assert f"/nl/quizzes/attempts/{attempt.id}/review" in page
    assert "2 attempts left" in page or "2 pogingen" in page


def test_autosave_saves_the_form_and_answers_json(client, learner, create_quiz):
    quiz = create_quiz()
    post_form(client, f"/nl/quizzes/{quiz.translation_group}/start", {})
    attempt = _attempt_of(learner)
    data = _right_form(attempt)
    data.pop("q3")
    response = post_form(client, f"/nl/quizzes/attempts/{attempt.id}/autosave", data)
    assert response.status_code == 200
    assert response.json["answered"] == 2
    assert response.json["total"] == 3
    attempt = _attempt_of(learner)
    assert operations.response_of(attempt.questions[0]) == data["q1"]
    assert operations.response_of(attempt.questions[2]) is None


def test_answers_after_the_deadline_are_refused_and_the_attempt_graded(
    client, learner, create_quiz
):
    quiz = create_quiz(time_limit_minutes=10)
    post_form(client, f"/nl/quizzes/{quiz.translation_group}/start", {})
    attempt = _attempt_of(learner)
    # Move the deadline into the past instead of waiting ten minutes.
    attempt.deadline_dt = utcnow() - timedelta(seconds=1)
    db.session.commit()

    response = post_form(
        client, f"/nl/quizzes/attempts/{attempt.id}/autosave", _right_form(attempt)
    )
    assert response.status_code == 409
    assert response.json["location"].endswith(f"/attempts/{attempt.id}/review")
    attempt = _attempt_of(learner)
    assert attempt.state == "submitted"
    assert attempt.score == 0
    assert client.get(f"/nl/quizzes/attempts/{attempt.id}").status_code == 302


def test_limit_reached_shows_no_start_button(client, learner, create_quiz):
    quiz = create_quiz(attempt_limit=1)
    post_form(client, f"/nl/quizzes/{quiz.translation_group}/start", {})
    attempt = _attempt_of(learner)
    post_form(client, f"/nl/quizzes/attempts/{attempt.id}/submit", {})
    page = client.get(f"/en/quizzes/{quiz.translation_group}").get_data(as_text=True)
    assert "You have used all your attempts." in page
    assert "/start" not in page
    response = post_form(client, f"/nl/quizzes/{quiz.translation_group}/start", {})
    assert response.status_code == 302
    assert db.session.query(Attempt).filter_by(user_id=learner.id).count() == 1


def test_review_policy_never_shows_only_whether_passed(client, learner, create_quiz):
    quiz = create_quiz(review_when=NEVER, review_answers=True)
    post_form(client, f"/en/quizzes/{quiz.translation_group}/start", {})
    attempt = _attempt_of(learner)
    post_form(client, f"/en/quizzes/attempts/{attempt.id}", {**_right_form(attempt)})
    post_form(client, f"/en/quizzes/attempts/{attempt.id}/submit", {})
    page = client.get(f"/en/quizzes/attempts/{attempt.id}/review").get_data(as_text=True)
    assert "You passed." in page
    assert "SECRET" not in page
    assert "Score:" not in page
    assert "Right answer" not in page


def test_review_policy_after_close(client, learner, create_quiz):
    close = utcnow() + timedelta(days=1)
    quiz = create_quiz(
        review_when="after_close", review_answers=True, review_feedback=True, close_dt=close
    )
    post_form(client, f"/en/quizzes/{quiz.translation_group}/start", {})
    attempt = _attempt_of(learner)
    post_form(client, f"/en/quizzes/attempts/{attempt.id}/submit", {})
    page = client.get(f"/en/quizzes/attempts/{attempt.id}/review").get_data(as_text=True)
    assert "after the quiz closes" in page
    assert "SECRET" not in page

    settings = operations.quiz_settings(quiz.translation_group)
    settings.close_dt = utcnow() - timedelta(minutes=1)
    # As the settings page does: saving bumps the content version, so the rules every
    # process keeps are read afresh.
    operations.save_settings(settings, {d.category_id: d.count for d in settings.draws})
    db.session.commit()
    page = client.get(f"/en/quizzes/attempts/{attempt.id}/review").get_data(as_text=True)
    assert "Right answer:" in page
    assert "SECRET-GENERAL" in page


def test_review_shows_right_answers_and_correctness_when_asked(client, learner, create_quiz):
    quiz = create_quiz(review_answers=True, review_correctness=True)
    post_form(client, f"/en/quizzes/{quiz.translation_group}/start", {})
    attempt = _attempt_of(learner)
    post_form(client, f"/en/quizzes/attempts/{attempt.id}", _right_form(attempt, right=False))
    post_form(client, f"/en/quizzes/attempts/{attempt.id}/submit", {})
    page = client.get(f"/en/quizzes/attempts/{attempt.id}/review").get_data(as_text=True)
    assert "You did not pass this time." in page
    assert page.count("Wrong.") == 3
    assert len(re.findall(r"<li>right answer \d+</li>", page)) == 3


def test_another_learners_attempt_is_not_found(client, auth, create_user, create_quiz):
    quiz = create_quiz()
    owner = create_user()
    attempt = operations.start_attempt(owner, quiz)
    db.session.commit()
    auth.login_as(None)
    for suffix in ("", "/submit", "/review"):
        assert client.get(f"/en/quizzes/attempts/{attempt.id}{suffix}").status_code == 404
    token = csrf_token(client)
    response = client.post(
        f"/en/quizzes/attempts/{attempt.id}/autosave", data={"csrf_token": token}
    )
    assert response.status_code == 404


def test_unpublished_quiz_is_not_found_for_learners(client, learner, create_quiz, content_admin):
    from content.workflow.operations import transition

    quiz = create_quiz()
    transition(quiz, "retract", actor=content_admin)
    db.session.commit()
    assert client.get(f"/en/quizzes/{quiz.translation_group}").status_code == 404


def test_the_quiz_item_page_leads_to_the_quiz(client, learner, create_quiz, app):
    quiz = create_quiz()
    with app.test_request_context():
        url = item_url(quiz)
    page = client.get(url).get_data(as_text=True)
    assert f"/nl/quizzes/{quiz.translation_group}" in page
