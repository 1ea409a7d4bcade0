"""Concurrent audited writes on PostgreSQL: whether writers wait on each other (issue #14).

``WRITERS`` threads each run transactions for ``SECONDS``: ``record()``, then
``WORK_MS`` of work before the commit (what a request does after auditing: more writes,
rendering), then commit. With one site-wide lock held to commit, the transactions queue:
at most 1000 / WORK_MS per second whatever the number of writers. Baseline in the same
run: the same transactions without ``record()`` (the work and the commit only). Figures:
transactions per second and p50/p95 per transaction, and the ratio to the baseline; the
chain is verified afterwards. The 1-minute load average is printed with each run.

Writes bench/results/audit_concurrency.json (``--out`` elsewhere). Run:

    .venv/bin/python bench/audit_concurrency.py
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import threading
import time
from pathlib import Path

from sites import postgres_site

from content.extensions import db
from tracing_app.audit import operations

RESULTS = Path(__file__).parent / "results" / "audit_concurrency.json"
WRITERS = 8
SECONDS = 8
WORK_MS = 5.0


def hammer(app, audited: bool, seconds: float) -> dict:
    """Run the writers; return transactions/s and latency figures."""
    samples: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(WRITERS)

    def writer(number: int) -> None:
        mine = []
        with app.app_context():
            try:
                start.wait()
                stop = time.monotonic() + seconds
                n = 0
                while time.monotonic() < stop:
                    t0 = time.perf_counter()
                    if audited:
                        operations.record(
                            "ticket.view",
                            actor=None,
                            subject_type="ticket",
                            subject_id=f"W{number}-{n}",
                        )
                    else:
                        db.session.execute(db.text("SELECT 1"))
                    time.sleep(WORK_MS / 1000)
                    db.session.commit()
                    mine.append((time.perf_counter() - t0) * 1000)
                    n += 1
            except Exception as exc:  # counted, the run goes on
                errors.append(type(exc).__name__)
            finally:
                db.session.remove()
        with lock:
            samples.extend(mine)

    load = os.getloadavg()[0]
    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ordered = sorted(samples)
    return {
        "transactions_per_second": round(len(samples) / seconds, 1),
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95)], 2),
        "errors": len(errors),
        "load_average_1m_before": round(load, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", default="this branch")
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args()
    with postgres_site("auditconc", AUDIT_CHECKPOINT_MINUTES=0) as site:
        app = site.app
        db.engine.dispose()
        baseline = hammer(app, False, SECONDS)
        audited = hammer(app, True, SECONDS)
        with app.app_context():
            result = operations.verify_chain()
    figures = {
        "code": args.label,
        "writers": WRITERS,
        "work_ms_between_record_and_commit": WORK_MS,
        "seconds": SECONDS,
        "baseline_without_record": baseline,
        "audited": audited,
        "ratio_audited_to_baseline": round(
            audited["transactions_per_second"] / baseline["transactions_per_second"], 3
        ),
        "chain_verified": result.ok,
        "entries": result.checked,
    }
    Path(args.out).parent.mkdir(exist_ok=True)
    Path(args.out).write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
