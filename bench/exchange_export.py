"""Export throughput and memory for 1,000,000 tickets on PostgreSQL, against a raw read.

Builds a throwaway schema with the real migrations and loads tickets with real AES-GCM
tokens (national number) with COPY (the table's trigger writes their change-feed rows),
in two stages (a tenth, then all), so memory can be compared as the export grows. At
each stage, in the same process and session:

- baseline: a raw streamed ``SELECT id, reference, national_number_enc FROM tickets``
  (what any export must at least read);
- the export: ``export.iterate("tickets")`` → JSON Lines to a null sink, with the default
  settings (national number as a keyed pseudonym: every row is decrypted and hashed).

Memory: Python's peak allocations (tracemalloc) during each stage's export; flat means
about the same peak for a tenth and for all. Writes bench/results/exchange_export.json.

    .venv/bin/python bench/exchange_export.py                 # 1,000,000 tickets
    .venv/bin/python bench/exchange_export.py --tickets 100000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time
import tracemalloc
from pathlib import Path

import psycopg
from sites import postgres_site
from sqlalchemy import text

from content.extensions import db
from tracing_app.exchange import export
from tracing_app.protection.crypto import context_for, encrypt
from tracing_app.protection.keyring import current_key_ring

RESULTS = Path(__file__).parent / "results" / "exchange_export.json"
SEED = 20261130


def national_number(i: int, rng: random.Random) -> str:
    """A valid Belgian national register number (born in the 1900s)."""
    birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(365 * 59))
    base = f"{birth:%y%m%d}{i % 997 + 1:03d}"
    return f"{base}{97 - int(base) % 97:02d}"


def load(url: str, schema: str, first: int, last: int, ring) -> float:
    """COPY tickets ``first``..``last`` and one change row each; return seconds."""
    rng = random.Random(SEED + first)  # noqa: S311 - test data, not secrets
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        conn.execute(f'SET search_path TO "{schema}"')
        with conn.cursor().copy(
            "COPY tickets (id, reference, status, language, source, version, created_dt, "
            "updated_dt, national_number_enc) FROM STDIN"
        ) as tickets:
            for i in range(first, last + 1):
                token = encrypt(
                    national_number(i, rng),
                    context=context_for("tickets", i, "national_number"),
                    key_ring=ring,
                )
                tickets.write(f"{i}\tTR-{i:08d}\topen\tnl\tbench\t1\t{now}\t{now}\t{token}\n")
        # Each ticket's change row is written by the table's trigger (COPY fires it).
        conn.execute("SELECT setval(pg_get_serial_sequence('tickets', 'id'), %s)", (last,))
        conn.commit()
        conn.execute("ANALYZE tickets")
        conn.execute("ANALYZE exchange_changes")
        conn.commit()
    return time.perf_counter() - started


class NullSink:
    """Counts what is written, keeps nothing."""

    def __init__(self) -> None:
        self.bytes = 0

    def write(self, line: str) -> None:  # noqa: D102
        self.bytes += len(line)


def raw_read() -> tuple[int, float]:
    """Stream the ticket columns an export needs, doing nothing with them."""
    started = time.perf_counter()
    count = 0
    result = db.session.execute(
        text("SELECT id, reference, national_number_enc FROM tickets ORDER BY id"),
        execution_options={"yield_per": 2000},
    )
    for _row in result:
        count += 1
    db.session.remove()
    return count, time.perf_counter() - started


def run_export(*, traced: bool) -> dict:
    """Export the whole tickets feed as JSON Lines into a null sink."""
    sink = NullSink()
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    count = 0
    for line in export.jsonl_lines(record for record, _c in export.iterate("tickets", None)):
        sink.write(line)
        count += 1
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if traced else None
    if traced:
        tracemalloc.stop()
    db.session.remove()
    return {"records": count, "seconds": seconds, "peak_bytes": peak, "bytes": sink.bytes}


def stage(label: str) -> dict:
    """Baseline and export at the current size (best of two untraced runs, one traced)."""
    baseline = min((raw_read() for _ in range(2)), key=lambda r: r[1])
    runs = [run_export(traced=False) for _ in range(2)]
    fastest = min(runs, key=lambda r: r["seconds"])
    traced = run_export(traced=True)
    figures = {
        "tickets": fastest["records"],
        "baseline_rows_per_s": round(baseline[0] / baseline[1]),
        "export_records_per_s": round(fastest["records"] / fastest["seconds"]),
        "ratio_export_to_baseline_time": round(fastest["seconds"] / baseline[1], 2),
        "export_seconds": round(fastest["seconds"], 2),
        "peak_python_memory_mib": round(traced["peak_bytes"] / 2**20, 2),
        "jsonl_mib": round(fastest["bytes"] / 2**20, 1),
    }
    print(label, json.dumps(figures))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    args = parser.parse_args()
    with postgres_site("export") as site:
        ring = current_key_ring()
        tenth = max(1, args.tickets // 10)
        load_seconds = load(site.url, site.schema, 1, tenth, ring)
        small = stage("tenth")
        load_seconds += load(site.url, site.schema, tenth + 1, args.tickets, ring)
        full = stage("all")
    figures = {
        "database": "postgresql",
        "load_seconds": round(load_seconds, 1),
        "tenth": small,
        "all": full,
        "memory_growth_ratio": round(
            full["peak_python_memory_mib"] / small["peak_python_memory_mib"], 2
        ),
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
