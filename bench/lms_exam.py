"""Submitting and grading one attempt of a 40-question exam, against bare baselines.

On the demo site (the exam's category gets 25 more English questions, and the exam draws
40), one learner's attempts are submitted with every answer right:

- ``grade_only``: the 40 questions graded in memory with :func:`lms.quizzes.grade`, no
  database: the bare cost of grading (baseline of the operation);
- ``submit_operation``: :func:`lms.quizzes.attempts.operations.submit_attempt` with the 40
  responses, then commit (store responses, grade, store marks, ``attempt_graded``, the
  certification's listener);
- ``submit_http``: what a browser does through the Flask test client: POST the attempt
  form (40 answers, "finish"), then POST the confirmation that submits and grades;
- ``bare_http``: a bare Flask app answering the same two POSTs with a redirect
  (baseline of the HTTP figure).

Each attempt is started untimed before it is measured. SQLite, and PostgreSQL when
reachable. Writes bench/results/lms_exam.json. Run: .venv/bin/python bench/lms_exam.py
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import replace
from pathlib import Path

from flask import Flask, redirect, request
from lms_common import demo_site, form_fields, ms, percentile, postgres_reachable
from sqlalchemy import event, select
from werkzeug.datastructures import MultiDict

from content.extensions import db
from content.items.models import ContentItem
from content.users.operations import create_user
from lms.quizzes import grade
from lms.quizzes.attempts import operations as quizzes
from lms.quizzes.attempts.models import Attempt
from lms.quizzes.bank.operations import category_by_path, create_question
from lms.quizzes.settings.models import QuizSettings
from lms.seed.answers import right_response
from lms.seed.training import load

QUESTIONS = 40
ROUNDS = 30
RESULTS = Path(__file__).parent / "results" / "lms_exam.json"
PASSWORD = "a long enough password"  # noqa: S105 - a bench account


def prepare_exam() -> ContentItem:
    """Give the demo exam 40 English questions to draw, no attempt or time limit."""
    training = load()
    category = category_by_path(training.category)
    english = training.texts["en"].questions
    for number in range(QUESTIONS - len(english)):
        question = english[number % len(english)]
        create_question(
            category,
            "en",
            replace(question, name=f"bench-{number}", text=f"{question.text} ({number})"),
        )
    exam = db.session.scalar(
        select(ContentItem).where(ContentItem.type == "quiz", ContentItem.language == "en")
    )
    settings = db.session.get(QuizSettings, exam.translation_group)
    settings.attempt_limit = None
    settings.time_limit_minutes = None  # the bench takes longer than one exam would
    quizzes.save_settings(settings, {category.id: QUESTIONS})
    db.session.commit()
    return exam


def started(learner, exam):
    """Start an attempt (untimed); return it with its questions by slot."""
    attempt = quizzes.start_attempt(learner, exam)
    db.session.commit()
    questions = {row.slot: quizzes.question_of(row) for row in attempt.questions}
    assert len(questions) == QUESTIONS
    return attempt, questions


def measure_operations(learner, exam) -> tuple[list[float], list[float]]:
    """Return samples of (grading in memory, submit_attempt + commit)."""
    bare, submit = [], []
    for _ in range(ROUNDS):
        attempt, questions = started(learner, exam)
        responses = {slot: right_response(question) for slot, question in questions.items()}
        t0 = time.perf_counter()
        for slot, question in questions.items():
            grade(question, responses[slot])
        bare.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        quizzes.submit_attempt(attempt, responses)
        db.session.commit()
        submit.append(time.perf_counter() - t0)
        assert attempt.percent == 100, attempt.percent
    return bare, submit


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def measure_http(app, email: str, group: str) -> tuple[list[float], list[int]]:
    """Return samples of the two POSTs with which a browser submits an attempt.

    Also returns the number of SQL statements of each sample (both POSTs).
    """
    client = app.test_client()
    statements = [0]

    def count(*_args, **_kwargs):
        statements[0] += 1

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
    queries = []
    token = csrf_token(client.get("/en/login").get_data(as_text=True))
    response = client.post(
        "/en/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302, response.status_code
    samples = []
    for _ in range(ROUNDS):
        page = client.get(f"/en/quizzes/{group}").get_data(as_text=True)
        response = client.post(f"/en/quizzes/{group}/start", data={"csrf_token": csrf_token(page)})
        attempt_url = response.headers["Location"]
        attempt_id = int(attempt_url.rstrip("/").rsplit("/", 1)[1])
        token = csrf_token(client.get(attempt_url).get_data(as_text=True))
        with app.app_context():
            attempt = db.session.get(Attempt, attempt_id)
            questions = {row.slot: quizzes.question_of(row) for row in attempt.questions}
            fields = form_fields(quizzes.public_questions(attempt), questions)
        data = [*fields, ("_action", "finish"), ("csrf_token", token)]
        statements[0] = 0
        t0 = time.perf_counter()
        saved = client.post(attempt_url, data=MultiDict(data))
        submitted = client.post(f"{attempt_url}/submit", data={"csrf_token": token})
        samples.append(time.perf_counter() - t0)
        queries.append(statements[0])
        assert saved.status_code == 302, saved.status_code
        assert submitted.headers["Location"].endswith("/review"), submitted.status_code
        with app.app_context():
            assert db.session.get(Attempt, attempt_id).percent == 100
    with app.app_context():
        event.remove(db.engine, "before_cursor_execute", count)
    return samples, queries


def measure_bare_http(fields: list[tuple[str, str]]) -> list[float]:
    """Return samples of the same two POSTs answered by a bare Flask app."""
    bare = Flask("bare")

    @bare.post("/attempt")
    def save():
        request.form.getlist("q1")  # read the form, as the real view does
        return redirect("/attempt/submit")

    @bare.post("/attempt/submit")
    def submit():
        return redirect("/attempt/review")

    client = bare.test_client()
    samples = []
    for _ in range(ROUNDS * 5):
        t0 = time.perf_counter()
        client.post("/attempt", data=MultiDict(fields))
        client.post("/attempt/submit", data={"csrf_token": "x"})
        samples.append(time.perf_counter() - t0)
    return samples


def figures(samples: list[float]) -> dict[str, float]:
    return {"p50_ms": ms(percentile(samples, 0.5)), "p95_ms": ms(percentile(samples, 0.95))}


def run(backend: str) -> dict:
    """Measure one backend."""
    with demo_site(backend) as (app, _config):
        with app.app_context():
            exam = prepare_exam()
            group = exam.translation_group
            learner = create_user("bench-ops@example.org", PASSWORD, locale="en")
            create_user("bench-http@example.org", PASSWORD, locale="en")
            db.session.commit()
            bare, submit = measure_operations(learner, exam)
            attempt, questions = started(learner, exam)
            fields = form_fields(quizzes.public_questions(attempt), questions)
        http, queries = measure_http(app, "bench-http@example.org", group)
    bare_http = measure_bare_http([*fields, ("_action", "finish"), ("csrf_token", "x")])
    result = {
        "grade_only": figures(bare),
        "submit_operation": figures(submit),
        "submit_http": {
            **figures(http),
            "sql_statements_median": sorted(queries)[len(queries) // 2],
        },
        "bare_http": figures(bare_http),
    }
    result["ratio_operation_to_grade_only_p50"] = round(
        percentile(submit, 0.5) / percentile(bare, 0.5), 1
    )
    result["ratio_http_to_bare_http_p50"] = round(
        percentile(http, 0.5) / percentile(bare_http, 0.5), 1
    )
    return result


def main() -> None:
    backends = ["sqlite"] + (["postgresql"] if postgres_reachable() else [])
    started_at = time.perf_counter()
    results = {
        "questions": QUESTIONS,
        "rounds": ROUNDS,
        **{backend: run(backend) for backend in backends},
    }
    results["seconds"] = round(time.perf_counter() - started_at, 1)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
