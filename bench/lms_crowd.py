"""2,000 learners taking the demo exam at once, over HTTP, on SQLite and PostgreSQL.

The site runs under gunicorn on 127.0.0.1 (2 sync workers, as deploy/ would on this
2-core machine). 2,000 learners, already signed in (their sessions are made in this
process, untimed: login has bench/login_latency.py), all want to take the exam at t=0;
``CONCURRENCY`` of them at a time (asyncio + aiohttp: one thread, little CPU), each doing
what a browser does:

1. ``quiz``: GET the exam's page;  2. ``start``: POST start;  3. ``attempt``: GET the
attempt page (12 questions);  4. ``save``: POST every answer with "finish";
5. ``submit``: POST the confirmation (grading, certificate check);  6. ``review``: GET the
result page the submission redirects to.

Redirects are not followed (their pages are measured where the learner asks for them).
Answers are read from the form itself (first option of each question): graded like any.
The run stops starting learners after ``--budget`` seconds per backend.

The floor: a bare Flask app under the same gunicorn answering the same requests with the
responses the site gave (one recorded body, status and ``Location`` of each request type,
the form read as the site reads it), driven by the same client for the same time; so the
ratio measures the application's cost, not HTML size or the client. Also recorded: the
CPU used by the servers and by the load generator (its share of the machine), and the
1-minute load average before and after each run. Writes bench/results/lms_crowd.json
(``--out`` another name).

Run: .venv/bin/python bench/lms_crowd.py [--learners 2000] [--concurrency 32] [--budget 45]
     [--only sqlite|postgresql] [--out lms_crowd_mine.json]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import http.client
import json
import os
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
from flask import session
from lms_common import demo_site, ms, percentile, postgres_reachable
from sqlalchemy import insert, select
from yarl import URL

from content.auth.models import AuthSession, User, utcnow
from content.auth.sessions import start_session
from content.extensions import db
from content.items.models import ContentItem
from content.users.operations import create_user

RESULTS = Path(__file__).parent / "results"
TYPES = ("quiz", "start", "attempt", "save", "submit", "review")
PASSWORD = "a long enough password"  # noqa: S105 - bench accounts


# The servers (gunicorn, 2 sync workers, as deploy/ runs the site on this 2-core machine) ----


def floor_app():
    """The floor: the site's recorded responses, by request type (gunicorn ``…:floor_app()``).

    Routes as the site's; each answers the body, status and ``Location`` the site gave for
    that request type, after reading the form (as the site does).
    """
    from flask import Flask, Response, request

    recorded = json.loads(Path(os.environ["LMS_CROWD_FLOOR"]).read_text())
    app = Flask("floor")

    def answer(kind: str) -> Response:
        request.form.to_dict(flat=False)  # POSTs: parse the form, as the site does
        entry = recorded[kind]
        headers = {"Location": entry["location"]} if entry["location"] else {}
        return Response(entry["body"], status=entry["status"], headers=headers)

    app.add_url_rule("/healthz", "healthz", lambda: "ok")
    app.add_url_rule("/en/quizzes/<group>", "quiz", lambda group: answer("quiz"))
    app.add_url_rule(
        "/en/quizzes/<group>/start", "start", lambda group: answer("start"), methods=["POST"]
    )
    app.add_url_rule(
        "/en/quizzes/attempts/<int:attempt_id>",
        "attempt",
        lambda attempt_id: answer("attempt" if request.method == "GET" else "save"),
        methods=["GET", "POST"],
    )
    app.add_url_rule(
        "/en/quizzes/attempts/<int:attempt_id>/submit",
        "submit",
        lambda attempt_id: answer("submit"),
        methods=["POST"],
    )
    app.add_url_rule(
        "/en/quizzes/attempts/<int:attempt_id>/review",
        "review",
        lambda attempt_id: answer("review"),
    )
    return app


def site_app():
    """The site with the bench's config (gunicorn ``lms_crowd:site_app()``)."""
    from tracing_app import create_app

    return create_app(json.loads(os.environ["LMS_CROWD_CONFIG"]))


def start_server(target: str, env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    """Start gunicorn on a free port of 127.0.0.1; return it once it answers, and the port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers"]
    command += ["2", "--worker-class", "sync", "--timeout", "120", "--backlog", "2048", target]
    child = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        command,
        env={**os.environ, **env},
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


def group_cpu_seconds(group: int) -> float:
    """User + system CPU seconds of the live processes of a process group (the server)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[2]) == group:  # after the name: state, ppid, pgrp, …, utime, stime
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def own_cpu_seconds() -> float:
    """CPU seconds this process (the load generator) used so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# The learners (asyncio tasks) -----------------------------------------------------------------


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


def form_of(page: str) -> dict[str, str]:
    """Return the fields a browser would post from ``page`` (first answer of each question)."""
    reader = FormReader()
    reader.feed(page)
    return reader.fields


class Crowd:
    """The learners' requests: (type, seconds, ok) of each, and one response of each type."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.records: list[tuple[str, float, bool]] = []
        self.errors: dict[str, int] = defaultdict(int)
        self.recorded: dict[str, dict] = {}
        self.finished = 0

    async def request(self, http, kind: str, method: str, path: str, form=None):
        """Send one request (no redirect followed); time it; return (status, body, location)."""
        t0 = time.perf_counter()
        try:
            async with http.request(method, path, data=form, allow_redirects=False) as response:
                text = await response.text()
                status, location = response.status, response.headers.get("Location", "")
        except (aiohttp.ClientError, TimeoutError):
            self.records.append((kind, time.perf_counter() - t0, False))
            raise
        ok = status in (200, 302, 303)
        self.records.append((kind, time.perf_counter() - t0, ok))
        if not ok:
            raise RuntimeError(f"{kind}: HTTP {status}")
        if kind not in self.recorded:
            self.recorded[kind] = {"status": status, "body": text, "location": location}
        return text, urlsplit(location).path

    async def take_exam(self, connector, cookie: tuple[str, str], group: str) -> None:
        """Open the exam, start an attempt, answer every question, submit, read the result."""
        jar = aiohttp.CookieJar(unsafe=True)
        jar.update_cookies({cookie[0]: cookie[1]}, URL(self.base))
        async with aiohttp.ClientSession(
            base_url=self.base,
            cookie_jar=jar,
            connector=connector,
            connector_owner=False,
            timeout=aiohttp.ClientTimeout(total=120),
        ) as http:
            page, _ = await self.request(http, "quiz", "GET", f"/en/quizzes/{group}")
            token = form_of(page)["csrf_token"]
            _, attempt = await self.request(
                http, "start", "POST", f"/en/quizzes/{group}/start", {"csrf_token": token}
            )
            if "/attempts/" not in attempt:
                raise RuntimeError(f"start: sent to {attempt}")
            page, _ = await self.request(http, "attempt", "GET", attempt)
            fields = form_of(page)
            await self.request(http, "save", "POST", attempt, {**fields, "_action": "finish"})
            token = {"csrf_token": fields["csrf_token"]}
            _, review = await self.request(http, "submit", "POST", f"{attempt}/submit", token)
            await self.request(http, "review", "GET", review)

    async def run(self, cookies, group: str, concurrency: int, budget: float) -> float:
        """Let ``concurrency`` learners at a time take the exam until all did or time is up."""
        queue = list(reversed(cookies))
        connector = aiohttp.TCPConnector(limit=concurrency, force_close=True)
        deadline = time.perf_counter() + budget

        async def worker() -> None:
            while queue and time.perf_counter() < deadline:
                cookie = queue.pop()
                try:
                    await self.take_exam(connector, cookie, group)
                except Exception as exc:
                    self.errors[str(exc)[:80] or type(exc).__name__] += 1
                    continue
                self.finished += 1

        t0 = time.perf_counter()
        try:
            await asyncio.gather(*(worker() for _ in range(concurrency)))
        finally:
            await connector.close()
        return time.perf_counter() - t0


def drive(port: int, cookies, group: str, args, server: subprocess.Popen) -> tuple[dict, Crowd]:
    """Run the crowd against a server; return its figures (CPU and load included)."""
    crowd = Crowd(f"http://127.0.0.1:{port}")
    load_before = os.getloadavg()[0]
    server_cpu, own_cpu = group_cpu_seconds(server.pid), own_cpu_seconds()
    seconds = asyncio.run(crowd.run(cookies, group, args.concurrency, args.budget))
    server_cpu = group_cpu_seconds(server.pid) - server_cpu
    own_cpu = own_cpu_seconds() - own_cpu
    by_type = defaultdict(list)
    for kind, elapsed, _ok in crowd.records:
        by_type[kind].append(elapsed)
    cores = os.cpu_count() or 1
    return {
        "learners": len(cookies),
        "learners_finished": crowd.finished,
        "seconds": round(seconds, 1),
        "requests": len(crowd.records),
        "requests_per_second": round(len(crowd.records) / seconds, 1),
        "exams_per_second": round(crowd.finished / seconds, 2),
        # at this rate, the time the whole crowd needs (when the budget stopped it early)
        "estimated_seconds_for_all_learners": round(
            len(cookies) / max(crowd.finished, 1) * seconds
        ),
        "failed_requests": sum(not ok for *_rest, ok in crowd.records),
        "errors": dict(crowd.errors),
        "server_cpu_cores_used": round(server_cpu / seconds, 2),
        "load_generator_cpu_cores_used": round(own_cpu / seconds, 2),
        "load_generator_cpu_share_of_machine": round(own_cpu / seconds / cores, 3),
        "load_average_1m_before": round(load_before, 2),
        "load_average_1m_after": round(os.getloadavg()[0], 2),
        "per_type": {
            kind: {
                "count": len(by_type[kind]),
                "p50_ms": ms(percentile(by_type[kind], 0.5)),
                "p95_ms": ms(percentile(by_type[kind], 0.95)),
            }
            for kind in TYPES
            if by_type[kind]
        },
    }, crowd


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
    """The site on ``backend``, then the floor with the site's recorded responses."""
    with demo_site(backend) as (app, config):
        t0 = time.perf_counter()
        cookies = learners_with_sessions(app, args.learners)
        setup = time.perf_counter() - t0
        group = exam_group(app)
        with app.app_context():
            db.engine.dispose()  # the child process serves; this one only set up
        child, port = start_server("lms_crowd:site_app()", {"LMS_CROWD_CONFIG": json.dumps(config)})
        try:
            site, crowd = drive(port, cookies, group, args, child)
        finally:
            stop_server(child)
    if set(crowd.recorded) != set(TYPES):
        return {"setup_seconds": round(setup, 1), **site, "floor": None}
    with tempfile.NamedTemporaryFile("w", suffix=".json") as recorded:
        json.dump(crowd.recorded, recorded)
        recorded.flush()
        child, port = start_server("lms_crowd:floor_app()", {"LMS_CROWD_FLOOR": recorded.name})
        try:
            floor, _ = drive(port, cookies, group, args, child)
        finally:
            stop_server(child)
    keys = ("requests_per_second", "exams_per_second", "failed_requests")
    keys += ("server_cpu_cores_used", "load_generator_cpu_share_of_machine")
    keys += ("load_average_1m_before", "load_average_1m_after")
    return {
        "setup_seconds": round(setup, 1),
        **site,
        "floor": {key: floor[key] for key in keys},
        "ratio_rps_to_floor": round(site["requests_per_second"] / floor["requests_per_second"], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--budget", type=float, default=45, help="seconds of load per run")
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--out", default="lms_crowd.json", help="file name in bench/results")
    args = parser.parse_args()
    backends = ["sqlite"] + (["postgresql"] if postgres_reachable() else [])
    if args.only:
        backends = [args.only]
    results = {
        "server": "gunicorn, 2 sync workers, 127.0.0.1; client: asyncio + aiohttp, one process",
        "floor": "bare Flask under the same gunicorn, the site's recorded responses",
        "load_average_1m_before": round(os.getloadavg()[0], 2),
        "cpu_cores": os.cpu_count(),
        "learners": args.learners,
        "concurrency": args.concurrency,
        "budget_seconds_per_run": args.budget,
        **{backend: run(backend, args) for backend in backends},
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
