"""CPU and SQL statements of each exam request, in one process, through the test client.

On the demo site, learners (signed in untimed) each do what a browser does with the demo
exam (12 questions): the quiz page, start, the attempt page, save ("finish"), submit, the
result page. Per request type: the median CPU time of this process (``time.process_time``:
less sensitive than wall time to a machine shared with other work, though not immune),
and the median number of SQL statements. The first learners warm the process (what it
keeps per content version) and are not counted. ``PYTHONPATH`` of another checkout gives
its figures (the "before" of a change). Writes bench/results/lms_request_cpu.json
(``--out`` another name).

Run: .venv/bin/python bench/lms_request_cpu.py [--learners 40] [--backend sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import time
from pathlib import Path

from lms_common import demo_site, form_fields
from sqlalchemy import event, select
from werkzeug.datastructures import MultiDict

from content.extensions import db
from content.items.models import ContentItem
from content.users.operations import create_user
from lms.quizzes.attempts import operations as quizzes
from lms.quizzes.attempts.models import Attempt

RESULTS = Path(__file__).parent / "results"
TYPES = ("quiz", "start", "attempt", "save", "submit", "review")
WARM_UP = 3
PASSWORD = "a long enough password"  # noqa: S105 - bench accounts


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def one_learner(app, email: str, group: str, statements: list[int]) -> dict[str, tuple]:
    """Take the exam as one learner; return (CPU seconds, statements) per request type."""
    client = app.test_client()
    token = csrf_token(client.get("/en/login").get_data(as_text=True))
    client.post("/en/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    measured = {}

    def timed(kind, call):
        statements[0] = 0
        started = time.process_time()
        response = call()
        measured[kind] = (time.process_time() - started, statements[0])
        assert response.status_code in (200, 302), (kind, response.status_code)
        return response

    page = timed("quiz", lambda: client.get(f"/en/quizzes/{group}")).get_data(as_text=True)
    token = csrf_token(page)
    started = timed(
        "start", lambda: client.post(f"/en/quizzes/{group}/start", data={"csrf_token": token})
    )
    attempt_url = started.headers["Location"]
    timed("attempt", lambda: client.get(attempt_url))
    with app.app_context():
        attempt = db.session.get(Attempt, int(attempt_url.rstrip("/").rsplit("/", 1)[1]))
        questions = {row.slot: quizzes.question_of(row) for row in attempt.questions}
        fields = form_fields(quizzes.public_questions(attempt), questions)
    data = MultiDict([*fields, ("_action", "finish"), ("csrf_token", token)])
    timed("save", lambda: client.post(attempt_url, data=data))
    submitted = timed(
        "submit", lambda: client.post(f"{attempt_url}/submit", data={"csrf_token": token})
    )
    timed("review", lambda: client.get(submitted.headers["Location"]))
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=40)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--out", default="lms_request_cpu.json", help="file name in bench/results")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    samples: dict[str, list[tuple]] = {kind: [] for kind in TYPES}
    with demo_site(args.backend) as (app, _config):
        with app.app_context():
            group = db.session.scalar(
                select(ContentItem.translation_group).where(
                    ContentItem.type == "quiz", ContentItem.language == "en"
                )
            )
            for number in range(args.learners + WARM_UP):
                create_user(f"cpu-{number}@example.org", PASSWORD, locale="en")
            db.session.commit()
            statements = [0]
            event.listen(
                db.engine,
                "before_cursor_execute",
                lambda *a: statements.__setitem__(0, statements[0] + 1),
            )
        for number in range(args.learners + WARM_UP):
            measured = one_learner(app, f"cpu-{number}@example.org", group, statements)
            if number >= WARM_UP:
                for kind, sample in measured.items():
                    samples[kind].append(sample)
    results = {
        "backend": args.backend,
        "learners": args.learners,
        "load_average_1m_before": round(load_before, 2),
        "load_average_1m_after": round(os.getloadavg()[0], 2),
        "per_type": {
            kind: {
                "cpu_ms_median": round(statistics.median(s[0] for s in found) * 1000, 2),
                "statements_median": statistics.median(s[1] for s in found),
            }
            for kind, found in samples.items()
        },
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
