"""2,000 learners taking the demo exam at once, over HTTP, on SQLite and PostgreSQL.

The site runs under gunicorn on 127.0.0.1 (2 sync workers, as deploy/ would on this
2-core machine; the floor under the same gunicorn settings). 2,000 learners, already signed
in (their sessions are made in this process, untimed: login has bench/login_latency.py),
all want to take the exam at t=0; ``CONCURRENCY`` client threads serve them, each learner
doing what a browser does:

1. ``quiz``: GET the exam's page;  2. ``start``: POST start;  3. ``attempt``: GET the
attempt page (12 questions);  4. ``save``: POST every answer with "finish";
5. ``submit``: POST the confirmation (grading, certificate check).

Redirects are not followed (their pages are measured where the learner asks for them).
Answers are read from the form itself (first option of each question): graded like any.
The run stops starting learners after ``BUDGET_SECONDS`` per backend and says how many
finished. Baseline: a bare Flask app on the same server answering a small page, with the
same client threads. Writes bench/results/lms_crowd.json.

Run: .venv/bin/python bench/lms_crowd.py [--learners 2000] [--concurrency 32] [--budget 50]
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from flask import session
from lms_common import demo_site, ms, percentile, postgres_reachable
from sqlalchemy import insert, select

from content.auth.models import AuthSession, User, utcnow
from content.auth.sessions import start_session
from content.extensions import db
from content.items.models import ContentItem
from content.users.operations import create_user

RESULTS = Path(__file__).parent / "results" / "lms_crowd.json"
TYPES = ("quiz", "start", "attempt", "save", "submit")
PASSWORD = "a long enough password"  # noqa: S105 - bench accounts


# The server (gunicorn, 2 sync workers, as deploy/ runs the site on this 2-core machine) -----


def bare_app():
    """The floor: a bare Flask app answering a small page (gunicorn ``lms_crowd:bare_app()``)."""
    from flask import Flask

    app = Flask("bare")
    app.add_url_rule("/", "page", lambda: "<!doctype html><title>bare</title><p>ok</p>")
    app.add_url_rule("/healthz", "healthz", lambda: "ok")
    return app


def site_app():
    """The site with the bench's config (gunicorn ``lms_crowd:site_app()``)."""
    from tracing_app import create_app

    return create_app(json.loads(os.environ["LMS_CROWD_CONFIG"]))


def start_server(config: dict | None) -> tuple[subprocess.Popen, int]:
    """Start gunicorn on a free port of 127.0.0.1; return it once it answers, and the port."""
    env = {**os.environ}
    if config is not None:
        env["LMS_CROWD_CONFIG"] = json.dumps(config)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    target = "lms_crowd:site_app()" if config is not None else "lms_crowd:bare_app()"
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers"]
    command += ["2", "--worker-class", "sync", "--timeout", "120", "--backlog", "2048", target]
    child = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        command,
        env=env,
        cwd=Path(__file__).parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # the site logs every request: never an unread pipe
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {child.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return child, port
        except OSError:
            time.sleep(0.5)
    stop_server(child)
    raise RuntimeError("gunicorn did not answer within 120 s")


def stop_server(child: subprocess.Popen) -> None:
    """Stop gunicorn (its own process group) and wait for it."""
    if child.poll() is None:
        os.killpg(child.pid, signal.SIGTERM)
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()


# The learners (client threads) --------------------------------------------------------------


class FormReader(HTMLParser):
    """Collect the attempt form's fields: first option of every question, CSRF token."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag, attrs) -> None:
        """Keep the first value offered for every field."""
        attrs = dict(attrs)
        name = attrs.get("name") or ""
        if tag == "input" and (name.startswith("q") or name == "csrf_token"):
            if attrs.get("type") in ("radio", "checkbox", "hidden"):
                self.fields.setdefault(name, attrs.get("value", ""))
            elif attrs.get("type") in (None, "text", "number"):
                self.fields.setdefault(name, "14")
        elif tag == "select" and name.startswith("q"):
            self._select = name
        elif tag == "option" and self._select and attrs.get("value"):
            self.fields.setdefault(self._select, attrs["value"])

    def handle_endtag(self, tag) -> None:
        """Leave a select."""
        if tag == "select":
            self._select = None


class Learner:
    """One learner's cookies and requests; records (type, seconds, ok)."""

    def __init__(self, port: int, cookie: tuple[str, str], records: list) -> None:
        self.port, self.cookies, self.records = port, dict([cookie]), records

    def request(self, kind: str, method: str, path: str, form: dict | None = None):
        """Send one request with the learner's cookies; keep new cookies; time it."""
        body = urlencode(form) if form is not None else None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        t0 = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        except OSError:
            self.records.append((kind, time.perf_counter() - t0, False))
            raise
        finally:
            connection.close()
        ok = response.status in (200, 302, 303)
        self.records.append((kind, time.perf_counter() - t0, ok))
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        if not ok:
            raise RuntimeError(f"{kind}: HTTP {response.status}")
        return response, text

    def take_exam(self, group: str) -> None:
        """Open the exam, start an attempt, answer every question, submit."""
        _response, page = self.request("quiz", "GET", f"/en/quizzes/{group}")
        reader = FormReader()
        reader.feed(page)
        response, _text = self.request(
            "start",
            "POST",
            f"/en/quizzes/{group}/start",
            {"csrf_token": reader.fields["csrf_token"]},
        )
        attempt = urlsplit(response.getheader("Location")).path
        if "/attempts/" not in attempt:
            raise RuntimeError(f"start: sent to {attempt}")
        _response, page = self.request("attempt", "GET", attempt)
        reader = FormReader()
        reader.feed(page)
        self.request("save", "POST", attempt, {**reader.fields, "_action": "finish"})
        self.request(
            "submit", "POST", f"{attempt}/submit", {"csrf_token": reader.fields["csrf_token"]}
        )


def crowd(
    port: int, cookies: list[tuple[str, str]], group: str, concurrency: int, budget: float
) -> dict:
    """Let every learner take the exam; return the figures."""
    records: list = []
    errors: dict[str, int] = defaultdict(int)
    done = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + budget

    def one(cookie: tuple[str, str]) -> None:
        if time.perf_counter() > deadline:
            return
        try:
            Learner(port, cookie, records).take_exam(group)
        except Exception as exc:
            with lock:
                errors[str(exc)[:80]] += 1
            return
        with lock:
            done[0] += 1

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, cookies))
    seconds = time.perf_counter() - t0
    by_type = defaultdict(list)
    for kind, elapsed, _ok in records:
        by_type[kind].append(elapsed)
    return {
        "learners": len(cookies),
        "learners_finished": done[0],
        "seconds": round(seconds, 1),
        "requests": len(records),
        "requests_per_second": round(len(records) / seconds, 1),
        "exams_per_second": round(done[0] / seconds, 2),
        # at this rate, the time the whole crowd needs (when the budget stopped it early)
        "estimated_seconds_for_all_learners": round(len(cookies) / max(done[0], 1) * seconds),
        "failed_requests": sum(not ok for *_rest, ok in records),
        "errors": dict(errors),
        "per_type": {
            kind: {
                "count": len(by_type[kind]),
                "p50_ms": ms(percentile(by_type[kind], 0.5)),
                "p95_ms": ms(percentile(by_type[kind], 0.95)),
            }
            for kind in TYPES
            if by_type[kind]
        },
    }


def bare_baseline(concurrency: int, seconds: float) -> dict:
    """Requests per second and p95 of a bare Flask page on the same server and clients."""
    child, port = start_server(None)
    try:
        samples: list[float] = []
        deadline = time.perf_counter() + seconds

        def hammer() -> None:
            while time.perf_counter() < deadline:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                t0 = time.perf_counter()
                connection.request("GET", "/")
                connection.getresponse().read()
                samples.append(time.perf_counter() - t0)
                connection.close()

        threads = [threading.Thread(target=hammer) for _ in range(concurrency)]
        t0 = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - t0
    finally:
        stop_server(child)
    return {
        "requests": len(samples),
        "requests_per_second": round(len(samples) / elapsed, 1),
        "p50_ms": ms(percentile(samples, 0.5)),
        "p95_ms": ms(percentile(samples, 0.95)),
    }


# Setup ----------------------------------------------------------------------------------------


def learners_with_sessions(app, count: int) -> list[tuple[str, str]]:
    """Create ``count`` English learners, each signed in; return their session cookies.

    One learner is created and signed in the normal way; the others are copies of it
    inserted in bulk (same password hash, a session row and token each), so that setting
    up 2,000 learners takes seconds, not minutes of password hashing.
    """
    name = app.config["SESSION_COOKIE_NAME"]
    serializer = app.session_interface.get_signing_serializer(app)
    with app.app_context():
        first = create_user("learner0@example.org", PASSWORD, locale="en")
        db.session.commit()
        with app.test_request_context("/en/"):
            start_session(first)
            db.session.commit()
            signed_in = dict(session)
        now = utcnow()
        db.session.execute(
            insert(User),
            [
                {
                    "email": f"learner{number}@example.org",
                    "display_name": f"Learner {number}",
                    "password_hash": first.password_hash,
                    "locale": "en",
                    "is_active_account": True,
                    "created_dt": now,
                }
                for number in range(1, count)
            ],
        )
        others = db.session.scalars(
            select(User.id).where(User.email.like("learner%"), User.id != first.id)
        ).all()
        tokens = {user_id: secrets.token_urlsafe(32) for user_id in others}
        db.session.execute(
            insert(AuthSession),
            [
                {
                    "token_hash": hashlib.sha256(token.encode()).hexdigest(),
                    "user_id": user_id,
                    "created_dt": now,
                    "last_seen_dt": now,
                }
                for user_id, token in tokens.items()
            ],
        )
        db.session.commit()
    return [(name, serializer.dumps(signed_in))] + [
        (name, serializer.dumps({**signed_in, "_user_id": str(user_id), "auth_token": token}))
        for user_id, token in tokens.items()
    ]


def exam_group(app) -> str:
    with app.app_context():
        exam = db.session.scalar(
            select(ContentItem).where(ContentItem.type == "quiz", ContentItem.language == "en")
        )
        return exam.translation_group


def run(backend: str, args) -> dict:
    with demo_site(backend) as (app, config):
        t0 = time.perf_counter()
        cookies = learners_with_sessions(app, args.learners)
        setup = time.perf_counter() - t0
        group = exam_group(app)
        with app.app_context():
            db.engine.dispose()  # the child process serves; this one only set up
        child, port = start_server(config)
        try:
            figures = crowd(port, cookies, group, args.concurrency, args.budget)
        finally:
            stop_server(child)
    return {"setup_seconds": round(setup, 1), **figures}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--budget", type=float, default=45, help="seconds of load per backend")
    args = parser.parse_args()
    backends = ["sqlite"] + (["postgresql"] if postgres_reachable() else [])
    results = {
        "server": "gunicorn, 2 sync workers, 127.0.0.1",
        "load_average_1m_before": round(os.getloadavg()[0], 2),
        "learners": args.learners,
        "concurrency": args.concurrency,
        "budget_seconds_per_backend": args.budget,
        "bare_baseline": bare_baseline(args.concurrency, seconds=8),
        **{backend: run(backend, args) for backend in backends},
    }
    for backend in backends:
        results[backend]["ratio_rps_to_bare"] = round(
            results[backend]["requests_per_second"]
            / results["bare_baseline"]["requests_per_second"],
            3,
        )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return None


if __name__ == "__main__":
    main()
