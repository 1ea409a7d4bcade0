"""One agent's requests timed one at a time in-process: service time and SQL statements.

The cost of each agent request type (claim, the call desktop, opening the script, the
desktop with the script panel, autosave, save, outcome) with nobody else around, against
``/healthz`` in the same loop: the ceiling of what the server can do per core, whatever
the machine's other load (issue #14: each type <= 3x /healthz and <= 5 SQL statements).
bench/agent_workload.py adds these figures to its run; run alone, this script seeds a
small throwaway PostgreSQL schema (one agent, a few call orders, the same site as the
workload), measures, notes the 1-minute load average, and writes
bench/results/agent_service.json (or ``--output``):

    .venv/bin/python bench/agent_service.py                  # ~30 s
    .venv/bin/python bench/agent_service.py --cycles 40 --output mine.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections import defaultdict
from pathlib import Path

from agent_calls import AUTOSAVE, CSRF, EXPECTED, REVISION
from workload_site import PASSWORD, seed, throwaway_site

RESULTS = Path(__file__).parent / "results" / "agent_service.json"


def service_times(email: str, cycles: int = 20) -> dict:
    """Time each request type in-process (Flask test client), one agent, one at a time.

    The cost of a request with nobody else around, and the SQL statements it runs: the
    ceiling of what the server can do per core, whatever the machine's other load.
    """
    from sqlalchemy import event

    from content.extensions import db
    from tracing_app import create_app

    app = create_app()
    client = app.test_client()
    statements = [0]
    with app.app_context():
        engine = db.engine

    def count(*_args):
        statements[0] += 1

    event.listen(engine, "before_cursor_execute", count)
    samples: dict[str, list[tuple[float, int]]] = defaultdict(list)

    def send(kind: str, method: str, url: str, **options):
        statements[0] = 0
        started = time.perf_counter()
        response = client.open(url, method=method, **options)
        samples[kind].append((time.perf_counter() - started, statements[0]))
        assert response.status_code == EXPECTED[kind], (kind, response.status_code)
        return response

    page = client.get("/en/login").get_data(as_text=True)
    data = {"email": email, "password": PASSWORD, "csrf_token": CSRF.search(page).group(1)}
    assert client.post("/en/login", data=data).status_code == 302
    token = {"csrf_token": CSRF.search(client.get("/en/calls/").get_data(as_text=True)).group(1)}
    for _ in range(cycles):
        work_one_call(send, token)
    event.remove(engine, "before_cursor_execute", count)
    with app.app_context():
        db.engine.dispose()
    baseline = statistics.median(t for t, _ in samples["baseline_healthz"])
    return {
        kind: {
            "median_ms": round(statistics.median(t for t, _ in values) * 1000, 1),
            "ratio_to_healthz": round(statistics.median(t for t, _ in values) / baseline, 1),
            "sql_statements": round(statistics.median(n for _, n in values)),
        }
        for kind, values in samples.items()
    }


def work_one_call(send, token: dict) -> None:
    """One call of the agent's loop, each request through ``send(kind, method, url, ...)``."""
    answers = {"called_name": "Bench Citizen", "consent": "yes"}
    send("baseline_healthz", "GET", "/healthz")
    order = send("claim", "POST", "/en/calls/next", data=token).headers["Location"]
    send("view_call", "GET", order)
    send("open_script", "POST", f"{order}/script", data=token)
    # The call desktop again, now with the script panel beside the call (#script).
    page = send("script_page", "GET", order).get_data(as_text=True)
    revision = int(REVISION.search(page).group(1))
    saved = send(
        "autosave",
        "POST",
        AUTOSAVE.search(page).group(1),
        json={"answers": answers, "revision": revision},
        headers={"X-CSRFToken": token["csrf_token"]},
    )
    revision = saved.get_json()["revision"]
    send(
        "save",
        "POST",
        f"{order}/script/save",
        data={**answers, "_action": "save", "_revision": revision, **token},
    )
    outcome = {"outcome": "reached", "callback_by": "me", "note": "", **token}
    send("outcome", "POST", f"{order}/outcome", data=outcome)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=20, help="calls the agent works")
    parser.add_argument("--output", help="file name under bench/results/")
    args = parser.parse_args()
    with throwaway_site("bench_service") as (settings, _instance):
        emails = seed(settings, 1, args.cycles + 5)
        load_before = os.getloadavg()[0]
        service = service_times(emails[0], cycles=args.cycles)
        load_after = os.getloadavg()[0]
    result = {
        "cpu_cores": os.cpu_count(),
        "cycles": args.cycles,
        "load_average_1min": {"before": round(load_before, 1), "after": round(load_after, 1)},
        "target": "each agent request type <= 3x /healthz and <= 5 SQL statements",
        "service_time_one_agent": service,
    }
    target = RESULTS.with_name(args.output) if args.output else RESULTS
    target.parent.mkdir(exist_ok=True)
    target.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
