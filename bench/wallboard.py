"""The live wallboard with 2,000 agents changing state: update latency and load per host.

For each database: a fresh schema (PostgreSQL) or file (SQLite, WAL) migrated with the
real migrations, 2,000 agents (all available) and 3 campaigns with queued calls. The site
runs in this process on 127.0.0.1 (werkzeug, threaded), like one app host. Supervisors
open the wallboard's Server-Sent Events stream over HTTP (signed in through the login
form). A writer changes random agents' states (``agent_states.set_state`` + commit) at
``--rate`` changes per second for ``--seconds``.

Reported:

- latency from a change's commit to the first board event that includes it (the event's
  board time, ``data-version``, is at or after the commit), as received by each
  supervisor: p50, p95, max (ms);
- events per supervisor per second, and bytes per event;
- the load the streams add to the host: CPU seconds of this process per wall second while
  streaming, minus the same measured with the writer alone (no stream open), and SQL
  statements per second issued by the streams.

On PostgreSQL the streams wake on ``NOTIFY`` (one LISTEN connection each); on SQLite they
poll the board's version every ``WALLBOARD_POLL_SECONDS`` (1 s by default; see
docs/telephony.md). Writes bench/results/wallboard.json. Run:

    .venv/bin/python bench/wallboard.py                      # both databases
    .venv/bin/python bench/wallboard.py --only sqlite --supervisors 5 --rate 20

PostgreSQL: ``TRACING_BENCH_POSTGRES_URL`` (default postgresql://postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import re
import resource
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from flask_migrate import upgrade
from sqlalchemy import event, insert
from werkzeug.serving import make_server
from workload_site import throwaway_schema

from content.auth.models import User, UserRole, utcnow
from content.extensions import db
from content.users.operations import create_user
from tracing_app import create_app
from tracing_app.calls import agent_states, operations
from tracing_app.calls.models import Campaign
from tracing_app.protection.audit_key import generate_audit_key_file
from tracing_app.protection.audit_key import key_file_path as audit_key_path
from tracing_app.protection.keyfile import generate_key_file
from tracing_app.protection.keyfile import key_file_path as data_key_path

RESULTS = Path(__file__).parent / "results" / "wallboard.json"
PASSWORD = "a long enough password"  # noqa: S105 - bench accounts
VERSION = re.compile(r'data-version="([^"]+)"')
CHANGING = [agent_states.AVAILABLE, agent_states.ON_CALL, agent_states.WRAP_UP, agent_states.BREAK]


def build_app(instance: str, url: str | None, schema: str | None):
    config = {
        "SECRET_KEY": "bench",
        "INSTANCE_PATH": instance,
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST_KIB": 1024,
        "ARGON2_PARALLELISM": 1,
        "SESSION_COOKIE_SECURE": False,
        "WALLBOARD_STREAM_SECONDS": 3600,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 40, "max_overflow": 20},
    }
    if url:
        config["SQLALCHEMY_DATABASE_URI"] = url
        config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"] = {"options": f"-csearch_path={schema}"}
    generate_key_file(data_key_path(instance))
    generate_audit_key_file(audit_key_path(instance))
    return create_app(config)


def seed(agents: int, supervisors: int) -> tuple[list[int], list[str]]:
    now = utcnow()
    agent_role = create_user("first-agent@bench.example", PASSWORD, roles=["agent"])
    rows = [
        {"email": f"agent{n}@bench.example", "display_name": f"Agent {n:04d}",
         "password_hash": agent_role.password_hash, "locale": "en"}
        for n in range(1, agents)
    ]  # fmt: skip
    db.session.execute(insert(User), rows)
    db.session.flush()
    ids = [agent_role.id, *db.session.scalars(db.select(User.id).where(User.id != agent_role.id))]
    db.session.execute(
        insert(UserRole), [{"user_id": i, "role": "agent"} for i in ids if i != agent_role.id]
    )
    for user_id in ids:
        agent_states.set_state(user_id, agent_states.AVAILABLE, now=now)
    campaigns = [Campaign(name=f"Bench {p}", priority=p) for p in range(3)]
    db.session.add_all(campaigns)
    db.session.flush()
    for number in range(300):
        operations.enqueue(campaigns[number % 3], due_dt=now - timedelta(minutes=number % 40))
    emails = [f"supervisor{n}@bench.example" for n in range(supervisors)]
    for email in emails:
        create_user(email, PASSWORD, roles=["supervisor"])
    db.session.commit()
    return ids, emails


class Browser:
    """A supervisor's cookie jar over http.client."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None, stream=False):
        """Send a request with the cookies; return the open response, or (status, text)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _sep, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        if stream:
            return response
        data = response.read().decode()
        connection.close()
        return response.status, data

    def sign_in(self, email: str) -> None:
        """Sign in through the login form."""
        _status, page = self.request("GET", "/en/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        body = urlencode({"csrf_token": token, "email": email, "password": PASSWORD})
        status, _page = self.request("POST", "/en/login", body)
        assert status == 302, status


def read_events(response, received: list, stop: threading.Event) -> None:
    """Collect (arrival time, board time, bytes) of each board event of a stream."""
    buffer = b""
    while not stop.is_set():
        try:
            chunk = response.read1(65536)
        except (AttributeError, OSError, ValueError):  # closed at the end of the run
            return
        if not chunk:
            return
        buffer += chunk
        while b"\n\n" in buffer:
            raw, buffer = buffer.split(b"\n\n", 1)
            if b"event: board" in raw:
                match = VERSION.search(raw.decode())
                if match:
                    board_time = datetime.fromisoformat(match.group(1))
                    received.append((time.time(), board_time, len(raw)))


def writer(app, ids: list[int], rate: float, seconds: float, commits: list) -> None:
    """Change random agents' states at ``rate`` per second; record each commit's time."""
    rng = random.Random(7)  # noqa: S311 - which agent changes, not a secret
    with app.app_context():
        deadline = time.monotonic() + seconds
        interval = 1.0 / rate
        next_at = time.monotonic()
        while time.monotonic() < deadline:
            user_id = rng.choice(ids)
            changed_at = datetime.now(UTC)
            agent_states.set_state(user_id, rng.choice(CHANGING), now=changed_at)
            db.session.commit()
            commits.append(datetime.now(UTC))
            next_at += interval
            time.sleep(max(0.0, next_at - time.monotonic()))
        db.session.remove()


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def run(app, args) -> dict:
    with app.app_context():
        upgrade(revision="heads")
        ids, emails = seed(args.agents, args.supervisors)
    statements = {"count": 0}

    def count(*_args, **_kwargs):
        if threading.current_thread().name.startswith("Thread"):  # the server's threads
            statements["count"] += 1

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_port
    try:
        # Baseline: the writer alone (the host's cost of the changes themselves).
        commits: list = []
        before = cpu_seconds()
        began = time.perf_counter()
        writer(app, ids, args.rate, args.baseline_seconds, commits)
        baseline_cpu = (cpu_seconds() - before) / (time.perf_counter() - began)

        browsers = [Browser(port) for _email in emails]
        for browser, email in zip(browsers, emails, strict=True):
            browser.sign_in(email)
        stop = threading.Event()
        streams = []
        for browser in browsers:
            response = browser.request("GET", "/en/calls/wallboard/stream", stream=True)
            assert response.status == 200, response.status
            received: list = []
            thread = threading.Thread(target=read_events, args=(response, received, stop))
            thread.start()
            streams.append((response, received, thread))
        time.sleep(2)  # every stream sent its first board
        commits = []
        statements["count"] = 0
        before = cpu_seconds()
        began = time.perf_counter()
        writer(app, ids, args.rate, args.seconds, commits)
        time.sleep(2)  # the last changes reach the screens
        wall = time.perf_counter() - began
        streaming_cpu = (cpu_seconds() - before) / wall
        sql = statements["count"] / wall
        stop.set()
        for response, _received, _thread in streams:
            response.close()
    finally:
        server.shutdown()

    latencies, events, sizes = [], [], []
    for _response, received, _thread in streams:
        events.append(len(received))
        sizes.extend(size for _at, _board, size in received)
        for committed in commits:
            seen = next((at for at, board_time, _size in received if board_time >= committed), None)
            if seen is not None:
                latencies.append((seen - committed.timestamp()) * 1000)
    return {
        "agents": args.agents,
        "supervisors": args.supervisors,
        "changes_per_second": args.rate,
        "changes": len(commits),
        "latency_ms": {
            "p50": round(statistics.median(latencies), 1) if latencies else None,
            "p95": round(percentile(latencies, 0.95), 1),
            "max": round(max(latencies), 1) if latencies else None,
            "measured": len(latencies),
        },
        "events_per_supervisor_per_second": round(statistics.mean(events) / wall, 2),
        "bytes_per_event": int(statistics.mean(sizes)) if sizes else 0,
        "host_cpu_seconds_per_second": {
            "writer_alone": round(baseline_cpu, 3),
            "writer_and_streams": round(streaming_cpu, 3),
            "added_by_streams": round(streaming_cpu - baseline_cpu, 3),
        },
        "sql_statements_per_second": round(sql, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=2000)
    parser.add_argument("--supervisors", type=int, default=10)
    parser.add_argument("--rate", type=float, default=50.0, help="state changes per second")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--baseline-seconds", type=float, default=10.0)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    figures: dict = {}
    if RESULTS.exists():  # keep the other database's figures when running one
        figures = json.loads(RESULTS.read_text())
    if args.only != "postgresql":
        with tempfile.TemporaryDirectory() as instance:
            figures["sqlite"] = run(build_app(instance, None, None), args)
            print("sqlite", json.dumps(figures["sqlite"]))
    if args.only != "sqlite":
        run_postgresql(figures, args)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")


def run_postgresql(figures: dict, args) -> None:
    with throwaway_schema("bench_wallboard") as (url, schema, instance):
        app = build_app(instance, url.replace("postgresql://", "postgresql+psycopg://", 1), schema)
        figures["postgresql"] = run(app, args)
        print("postgresql", json.dumps(figures["postgresql"]))


if __name__ == "__main__":
    main()
