"""Where one agent's requests spend their time: wall, CPU, the database's CPU, a profile.

Not a target check (bench/agent_service.py is): a tool for finding what to cut. One agent
works ``--cycles`` calls in-process (Flask test client) on a throwaway PostgreSQL schema,
as bench/agent_service.py does; after three warm-up calls, each request type's median wall
time, its ratio to ``/healthz``, this thread's CPU time and the CPU time of the database
server process behind the request's connection (``/proc/<pid>/schedstat``, nanoseconds)
are printed. ``--profile KIND`` (or ``all``) adds a cProfile of that request type, sorted
by ``--sort``. ``--quiet-log`` turns the app's INFO lines off (the access line included).

    .venv/bin/python bench/agent_profile.py --cycles 40
    .venv/bin/python bench/agent_profile.py --cycles 30 --profile save --sort tottime
"""

from __future__ import annotations

import argparse
import cProfile
import io
import logging
import pstats
import statistics
import time
from collections import defaultdict

from agent_calls import CSRF, EXPECTED
from agent_service import work_one_call
from workload_site import PASSWORD, seed, throwaway_site

WARM_UP = 3


def run(email: str, cycles: int, profile: str | None, sort: str) -> None:
    """Work ``cycles`` calls as one agent; print the figures (and the profiles asked for)."""
    from sqlalchemy import event

    from content.extensions import db
    from tracing_app import create_app

    app = create_app()
    client = app.test_client()
    backends: set[int] = set()
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def note_backend(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT pg_backend_pid()")
        backends.add(cursor.fetchone()[0])
        cursor.close()

    def database_seconds() -> float:
        total = 0
        for pid in backends:
            try:
                with open(f"/proc/{pid}/schedstat") as stat:
                    total += int(stat.read().split()[0])
            except OSError:
                continue  # another machine's server, or the connection ended
        return total / 1e9

    samples: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    profiles: dict[str, cProfile.Profile] = defaultdict(cProfile.Profile)
    warm = [False]

    def send(kind: str, method: str, url: str, **options):
        profiler = profiles[kind] if warm[0] and profile in (kind, "all") else None
        wall, cpu, database = time.perf_counter(), time.thread_time(), database_seconds()
        if profiler:
            profiler.enable()
        response = client.open(url, method=method, **options)
        if profiler:
            profiler.disable()
        samples[kind].append(
            (
                time.perf_counter() - wall,
                time.thread_time() - cpu,
                database_seconds() - database,
            )
        )
        assert response.status_code == EXPECTED[kind], (kind, response.status_code)
        return response

    page = client.get("/en/login").get_data(as_text=True)
    data = {"email": email, "password": PASSWORD, "csrf_token": CSRF.search(page).group(1)}
    assert client.post("/en/login", data=data).status_code == 302
    calls_page = client.get("/en/calls/").get_data(as_text=True)
    token = {"csrf_token": CSRF.search(calls_page).group(1)}
    for cycle in range(cycles + WARM_UP):
        if cycle == WARM_UP:
            samples.clear()
            warm[0] = True
        work_one_call(send, token)
    with app.app_context():
        db.engine.dispose()

    def median_ms(kind: str, at: int) -> float:
        return statistics.median(sample[at] for sample in samples[kind]) * 1000

    baseline = median_ms("baseline_healthz", 0)
    print(f"{'request':18s} {'wall ms':>8s} {'ratio':>6s} {'CPU ms':>7s} {'db CPU ms':>9s}")
    for kind in samples:
        wall = median_ms(kind, 0)
        line = f"{kind:18s} {wall:8.2f} {wall / baseline:6.1f} "
        print(line + f"{median_ms(kind, 1):7.2f} {median_ms(kind, 2):9.2f}")
    for kind, profiler in profiles.items():
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(sort).print_stats(50)
        print(f"===== {kind}\n{out.getvalue()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=30, help="calls measured")
    parser.add_argument("--profile", help="request type to profile, or 'all'")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key")
    parser.add_argument("--quiet-log", action="store_true", help="no INFO log lines")
    args = parser.parse_args()
    with throwaway_site("bench_profile") as (settings, _instance):
        emails = seed(settings, 1, args.cycles + WARM_UP + 2)
        if args.quiet_log:
            logging.disable(logging.INFO)
        run(emails[0], args.cycles, args.profile, args.sort)


if __name__ == "__main__":
    main()
