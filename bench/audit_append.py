"""Audited writes with the keyed chain and opportunistic checkpoints, on PostgreSQL.

One audited write is what an agent's request ends with: ``record()`` + commit. Measured
in the same process, 2,000 each, on a site migrated in a throwaway schema:

- ``baseline``: the same INSERT of a row into a table without chain, lock or checkpoint
  logic (``audit_log`` columns, through Core) + commit;
- ``record, checkpoints off``: ``AUDIT_CHECKPOINT_MINUTES = 0``;
- ``record, checkpoints every 5 min``: the default (one checkpoint is written during the
  run; the rest pay the cached-time comparison);
- ``record, a checkpoint every commit``: the worst case (the interval always passed).

Also: SQL statements per audited write (PostgreSQL: one after the head this thread
remembers, docs/audit-log.md), the time of the checkpoint-age check alone, and of one
``write_checkpoint()`` with the log at about 4,500 and at about 104,500 entries (it counts
only the entries since the previous one).

Writes bench/results/audit_append.json. Run:

    .venv/bin/python bench/audit_append.py
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from sites import postgres_site
from sqlalchemy import event, text

from content.extensions import db
from tracing_app.audit import checkpoints, operations

RESULTS = Path(__file__).parent / "results" / "audit_append.json"
SAMPLES = 2000
ROUNDS = 10


def timed(action, count: int = SAMPLES) -> list[float]:
    samples = []
    for n in range(count):
        start = time.perf_counter()
        action(n)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def figures(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered), 3),
        "p95_ms": round(ordered[int(len(ordered) * 0.95)], 3),
    }


def audited(n: int) -> None:
    operations.record("ticket.view", actor=None, subject_type="ticket", subject_id=f"T-{n}")
    db.session.commit()


def run() -> dict:
    with postgres_site("audit") as bench_site:
        app = bench_site.app
        db.session.execute(text("CREATE TABLE plain_log AS SELECT * FROM audit_log WHERE false"))
        db.session.commit()

        def baseline(n: int) -> None:
            db.session.execute(
                text(
                    "INSERT INTO plain_log (id, created_dt, actor_label, action, subject_type,"
                    " subject_id, reason, details, previous_hash, entry_hash) VALUES (:id,"
                    " now(), 'system', 'ticket.view', 'ticket', :s, '', '{}', :p, :h)"
                ),
                {"id": n, "s": f"T-{n}", "p": f"{n:064d}", "h": f"{n + 1:064d}"},
            )
            db.session.commit()

        # Interleaved in rounds: the machine's noise and the growing log hit all three alike.
        def checkpoints_every(minutes: int):
            def action(n: int) -> None:
                app.config["AUDIT_CHECKPOINT_MINUTES"] = minutes
                audited(n)

            return action

        phases = {
            "baseline": baseline,
            "record_checkpoints_off": checkpoints_every(0),
            "record_checkpoints_every_5_min": checkpoints_every(5),
        }
        samples = {name: [] for name in phases}
        checkpoints.forget_checkpoint_time()
        for round_number in range(ROUNDS):
            order = list(phases.items())
            if round_number % 2:  # what runs right after the baseline is slower: alternate
                order.reverse()
            for name, action in order:
                samples[name] += timed(
                    lambda n, action=action, r=round_number: action(r * SAMPLES + n),
                    SAMPLES // ROUNDS,
                )
        results = {"samples": SAMPLES}
        results.update({name: figures(values) for name, values in samples.items()})
        app.config["AUDIT_CHECKPOINT_MINUTES"] = 5

        def always_due(n: int) -> None:
            checkpoints.forget_checkpoint_time()
            checkpoints.checkpoint_path().unlink(missing_ok=True)
            audited(n)

        results["record_checkpoint_every_commit"] = figures(timed(always_due, 500))

        start = time.perf_counter()
        for _ in range(10000):
            checkpoints.maybe_write_checkpoint()  # not due: the per-commit cost
        results["checkpoint_age_check_us"] = round((time.perf_counter() - start) * 100, 2)

        statements = [0]

        def count(*_args, **_kwargs):
            statements[0] += 1

        event.listen(db.engine, "before_cursor_execute", count)
        audited(0)
        event.remove(db.engine, "before_cursor_execute", count)
        results["sql_statements_per_audited_write"] = statements[0]

        entries = db.session.scalar(text("SELECT count(*) FROM audit_log"))
        results[f"write_checkpoint_ms_at_{entries}"] = figures(
            timed(lambda _n: checkpoints.write_checkpoint(), 20)
        )["p50_ms"]
        db.session.execute(
            text(
                "INSERT INTO audit_log (created_dt, actor_label, action, subject_type,"
                " subject_id, reason, details, previous_hash, entry_hash)"
                " SELECT now(), 'system', 'bulk', 'ticket', 'T', '', '{}',"
                " md5(g::text) || md5('p' || g::text), md5(g::text || 'h') || md5('h' || g::text)"
                " FROM generate_series(1, 100000) AS g"
            )
        )
        db.session.commit()
        entries = db.session.scalar(text("SELECT count(*) FROM audit_log"))
        results[f"write_checkpoint_ms_at_{entries}"] = figures(
            timed(lambda _n: checkpoints.write_checkpoint(), 20)
        )["p50_ms"]
        for name in list(results):
            if isinstance(results[name], dict):
                results[name]["ratio_p50"] = round(
                    results[name]["p50_ms"] / results["baseline"]["p50_ms"], 2
                )
        return results


def main() -> None:
    results = run()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
