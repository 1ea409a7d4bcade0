"""CPU per request of a learner re-opening a lesson, in-process (test client), PostgreSQL.

Robust to other load where ``signed_in_pages.py`` (wall clock under wrk) is not: the
process's own CPU time (``time.process_time``) over ``--requests`` requests, ``--rounds``
times; the seeding is ``signed_in_pages.py``'s (demo training, enrolled learners).
``PYTHONPATH`` chooses the checkout measured (the "before" figures). ``--profile KEY``
prints a cProfile of the loop sorted by KEY instead.

    PYTHONPATH=. .venv/bin/python bench/lesson_cpu.py --rounds 7 --requests 300
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import signed_in_pages as bench


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--profile", default="")
    args = parser.parse_args()
    settings, schema = bench.settings_for("postgresql", tempfile.mkdtemp())
    try:
        site = bench.seed(settings, 2)
        from tracing_app import create_app

        client = create_app().test_client()
        name, value = site["cookies"][0].split("=", 1)
        client.set_cookie(name, value)
        url = site["urls"]["lesson"]
        for _ in range(50):  # the view recorded, then repeat views
            assert client.get(url).status_code == 200
        if args.profile:
            import cProfile
            import pstats

            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.requests):
                client.get(url)
            profile.disable()
            pstats.Stats(profile).sort_stats(args.profile).print_stats(40)
            return
        rounds = []
        for _ in range(args.rounds):
            started = time.process_time()
            for _ in range(args.requests):
                client.get(url)
            rounds.append((time.process_time() - started) / args.requests * 1000)
        print(
            json.dumps(
                {
                    "code": os.environ.get("PYTHONPATH", "."),
                    "cpu_ms_per_request": sorted(round(r, 3) for r in rounds),
                    "median": round(statistics.median(rounds), 3),
                    "best": round(min(rounds), 3),
                    "load_average": os.getloadavg(),
                }
            )
        )
    finally:
        import psycopg

        with psycopg.connect(bench.POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    main()
