"""Retention purge of expired tickets on PostgreSQL: rows/s and what agents feel meanwhile.

Builds a throwaway schema with the real migrations and loads ``--tickets`` closed tickets
whose retention expired (closed 600 days ago), each with eight encrypted-looking fields,
a wrapped data key and three blind indexes (COPY, like a grown site), and a few hundred
open tickets made by the real ``create_ticket`` for agents to work on.

Agents: ``--agents`` threads, each in a loop opening a random open ticket (decrypted,
audited ``ticket.view``), saving a change of its notes (version check, audited) and
committing: what a ticket page and its save cost. Their latency is measured for
``--seconds`` without the purge (baseline), then while ``retention.purge`` runs.
Writes bench/results/retention_purge.json.

    .venv/bin/python bench/retention_purge.py                    # 1,000,000 tickets
    .venv/bin/python bench/retention_purge.py --tickets 100000 --agents 8
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import random
import statistics
import threading
import time
from pathlib import Path

import psycopg
from sites import postgres_site
from sqlalchemy import func, select

from content.extensions import db
from tracing_app.retention.purge import purge
from tracing_app.tickets import operations
from tracing_app.tickets.models import Ticket

RESULTS = Path(__file__).parent / "results" / "retention_purge.json"
FIELDS = (
    "first_name", "last_name", "national_number", "birth_date", "phone", "email", "address",
    "notes",
)  # fmt: skip


def _token() -> str:
    """A token of a short value under a row key (the purge never opens them)."""
    return "v1:_row:" + base64.urlsafe_b64encode(os.urandom(44)).rstrip(b"=").decode()


def load(url: str, schema: str, count: int) -> float:
    """COPY ``count`` expired closed tickets with data keys and blind indexes; return seconds."""
    closed = (dt.datetime.now(dt.UTC) - dt.timedelta(days=600)).replace(tzinfo=None)
    created = closed - dt.timedelta(days=14)
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        conn.execute(f'SET search_path TO "{schema}"')
        columns = ", ".join(f"{field}_enc" for field in FIELDS)
        with conn.cursor().copy(
            "COPY tickets (id, reference, status, language, source, version, created_dt, "
            f"updated_dt, closed_dt, {columns}) FROM STDIN"
        ) as copy:
            for i in range(1, count + 1):
                tokens = "\t".join(_token() for _ in FIELDS)
                copy.write(
                    f"{i}\tTB-{i:010d}\tclosed\tnl\tbench\t3\t{created}\t{closed}\t{closed}"
                    f"\t{tokens}\n"
                )
        with conn.cursor().copy(
            "COPY data_keys (id, owner, owner_id, wrapped_key, created_dt) FROM STDIN"
        ) as copy:
            for i in range(1, count + 1):
                copy.write(f"{i}\ttickets\t{i}\t{_token().replace('_row', 'k1')}\t{created}\n")
        with conn.cursor().copy(
            "COPY ticket_blind_indexes (ticket_id, kind, digest, key_id, indexed_dt) FROM STDIN"
        ) as copy:
            for i in range(1, count + 1):
                for kind in ("national_number", "phone", "name_birth_date"):
                    copy.write(f"{i}\t{kind}\t{os.urandom(32).hex()}\tk1\t{created}\n")
        conn.execute("SELECT setval(pg_get_serial_sequence('tickets', 'id'), %s)", (count,))
        conn.execute("SELECT setval(pg_get_serial_sequence('data_keys', 'id'), %s)", (count,))
        conn.commit()
        for table in ("tickets", "data_keys", "ticket_blind_indexes"):
            conn.execute(f"ANALYZE {table}")
        conn.commit()
    return time.perf_counter() - started


def open_tickets(app, count: int) -> list[int]:
    """Create the tickets agents work on, with the real operation (encrypted, indexed)."""
    ids = []
    for n in range(count):
        person = operations.PersonData(
            first_name=f"Agent{n}", last_name="Bench", phone=f"0470 00 {n // 100:02d} {n % 100:02d}"
        )
        ids.append(operations.create_ticket(person, actor=None, source="bench").id)
    db.session.commit()
    return ids


class Agents:
    """Threads that open and save tickets until stopped; latencies per phase."""

    def __init__(self, app, ids: list[int], threads: int) -> None:
        self.app, self.ids, self.threads = app, ids, threads
        self.phase = "baseline"
        self.latencies: dict[str, list[float]] = {"baseline": [], "purge": []}
        self.errors = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def _work(self, seed: int) -> None:
        rng = random.Random(seed)  # noqa: S311 - test data
        with self.app.app_context():
            while not self._stop.is_set():
                started = time.perf_counter()
                try:
                    ticket = db.session.get(Ticket, rng.choice(self.ids))
                    person = operations.person_data(ticket, actor=None, reason="bench")
                    person.notes = f"call {rng.random()}"
                    operations.update_ticket(
                        ticket, person, actor=None, expected_version=ticket.version
                    )
                    db.session.commit()
                except operations.TicketConflict:
                    db.session.rollback()
                except Exception:  # counted: the bench goes on
                    db.session.rollback()
                    with self._lock:
                        self.errors += 1
                    continue
                finally:
                    db.session.expunge_all()
                elapsed = time.perf_counter() - started
                with self._lock:
                    self.latencies[self.phase].append(elapsed)

    def start(self) -> None:  # noqa: D102
        self._workers = [
            threading.Thread(target=self._work, args=(n,), daemon=True) for n in range(self.threads)
        ]
        for worker in self._workers:
            worker.start()

    def stop(self) -> None:  # noqa: D102
        self._stop.set()
        for worker in self._workers:
            worker.join()


def _summary(values: list[float]) -> dict:
    if len(values) < 2:
        return {"requests": len(values)}
    cuts = statistics.quantiles(values, n=100)
    return {
        "requests": len(values),
        "p50_ms": round(cuts[49] * 1000, 1),
        "p95_ms": round(cuts[94] * 1000, 1),
        "max_ms": round(max(values) * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--agents", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0, help="baseline duration")
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()
    with postgres_site("retention") as site:
        load_seconds = load(site.url, site.schema, args.tickets)
        ids = open_tickets(site.app, 300)
        agents = Agents(site.app, ids, args.agents)
        agents.start()
        time.sleep(args.seconds)
        agents.phase = "purge"
        started = time.perf_counter()
        done = purge(batch_size=args.batch_size)
        purge_seconds = time.perf_counter() - started
        agents.stop()
        shells = db.session.scalar(
            select(func.count()).select_from(Ticket).where(Ticket.purged_dt.is_not(None))
        )
    figures = {
        "database": "postgresql",
        "tickets": args.tickets,
        "agents": args.agents,
        "batch_size": args.batch_size,
        "load_seconds": round(load_seconds, 1),
        "purged": done["tickets"],
        "shells_counted_after": shells,
        "purge_seconds": round(purge_seconds, 1),
        "purge_rows_per_s": round(done["tickets"] / purge_seconds),
        "agents_baseline": _summary(agents.latencies["baseline"]),
        "agents_during_purge": _summary(agents.latencies["purge"]),
        "agent_errors": agents.errors,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
