"""The no-leak rule: before submitting, nothing a learner can fetch holds a right answer.

During an attempt of a quiz with one question of every type, the test fetches every page
and endpoint a learner can reach (quiz page, CMS page of the quiz, attempt page, saving
without JavaScript, autosave JSON, confirmation, review before submitting, the attempt
script) and looks for every secret: feedback, general feedback, accepted answers, the
author's names, fractions and correctness. Every secret of the fixtures contains
``SECRET``; the numeric answer is 98765.4321. The last step checks the test can see:
after submitting, the review (which shows everything here) does contain them.
"""

from __future__ import annotations

import json
import re

import pytest

from content.extensions import db
from content.items.urls import item_url
from lms.quizzes.attempts import operations
from lms.quizzes.attempts.models import Attempt
from tests.fixtures.lms_quizzes import every_kind
from tests.fixtures.web import csrf_token, translated

SECRETS = re.compile(r"SECRET|98765[.,]4321", re.IGNORECASE)
# Grading in the markup or the JSON: attributes, classes or keys about fractions, feedback,
# correctness. (Plain words on the page, such as the quiz page
# telling that feedback comes after submitting, are fine.)
GRADING_MARKUP = re.compile(
    r"(?:data-[\w-]*|class=\"[^\"]*)(?:fraction|feedback|correct|right|accepted|tolerance|weight)"
    r"|\"(?:fraction|feedback|correct|accepted|tolerance|weight|parts|score)\"\s*:",
    re.IGNORECASE,
)
#: The review's verdicts, as the French learner of the test would read them.
VERDICTS = ("Right.", "Wrong.", "Partly right.")


def _learner_answers(attempt: Attempt) -> dict:
    """A plausible form: the first option of choice questions, text elsewhere."""
    data = {}
    for shown in operations.public_questions(attempt):
        name, view = f"q{shown['slot']}", shown["view"]
        if view["type"] in ("single_choice", "multiple_choice"):
            data[name] = view["options"][0]["id"]
        elif view["type"] == "true_false":
            data[name] = "false"
        elif view["type"] == "matching":
            for prompt in view["prompts"]:
                data[f"{name}-{prompt['id']}"] = view["targets"][0]
        else:
            data[name] = "12"
    return data


def _check(label: str, text: str) -> None:
    found = SECRETS.search(text)
    assert found is None, f"{label} leaks {found.group(0)!r}"
    found = GRADING_MARKUP.search(text)
    assert found is None, f"{label} mentions {found.group(0)!r}"
    for verdict in VERDICTS:
        assert translated("fr", verdict) not in text, f"{label} gives a verdict"


@pytest.mark.db
def test_nothing_a_learner_fetches_during_an_attempt_gives_answers_away(
    app, client, auth, create_quiz
):
    quiz = create_quiz(
        questions=every_kind(),
        review_score=True,
        review_correctness=True,
        review_answers=True,
        review_feedback=True,
        time_limit_minutes=30,
    )
    group = quiz.translation_group
    learner = auth.login_as(None, locale="fr")
    fetched: dict[str, str] = {}

    def get(label, url):
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200, (label, response.status_code)
        fetched[label] = response.get_data(as_text=True)
        response.close()  # static files are streamed from an open file

    with app.test_request_context():
        cms_url = item_url(quiz)
    get("quiz page", f"/fr/quizzes/{group}")
    get("CMS page of the quiz", cms_url)

    token = csrf_token(client, f"/fr/quizzes/{group}")
    response = client.post(f"/fr/quizzes/{group}/start", data={"csrf_token": token})
    fetched["start"] = response.get_data(as_text=True)
    attempt = db.session.scalars(db.select(Attempt).filter_by(user_id=learner.id)).one()
    base = f"/fr/quizzes/attempts/{attempt.id}"

    get("attempt page", base)
    answers = _learner_answers(attempt)
    response = client.post(
        f"{base}/autosave",
        data={"csrf_token": token, **answers},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    fetched["autosave JSON"] = json.dumps(response.json)
    response = client.post(base, data={"csrf_token": token, **answers}, follow_redirects=True)
    fetched["save without JavaScript"] = response.get_data(as_text=True)
    get("attempt page with saved answers", base)
    get("review before submitting", f"{base}/review")
    get("confirmation", f"{base}/submit")
    get("quiz page during the attempt", f"/fr/quizzes/{group}")
    get("attempt script", "/quizzes-static/quizzes/attempt.js")

    # Every question is on the attempt page, with the learner's saved answers.
    for shown in operations.public_questions(attempt):
        assert f"question-{shown['slot']}" in fetched["attempt page with saved answers"]
    assert 'value="12"' in fetched["attempt page with saved answers"]

    for label, text in fetched.items():
        _check(label, text)

    # The test can see: once submitted, this quiz's review shows the secrets.
    client.post(f"{base}/submit", data={"csrf_token": token})
    review = client.get(f"{base}/review").get_data(as_text=True)
    assert SECRETS.search(review)
    assert "98765.4321" in review
    assert translated("fr", "Wrong.") in review
