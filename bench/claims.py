"""Claim throughput and double claims with 200 concurrent claimers, PostgreSQL and SQLite.

For each database: a fresh schema (PostgreSQL) or file (SQLite, WAL) migrated with the
real migrations, 3 campaigns and N queued orders (mixed priorities and due times), 200
agents. 200 threads start together (barrier) and each claims in a loop until the queue is
empty (``claim_next_call`` + ``db.session.rollback()``, as a request would end). Then
every lease expires and 200 threads claim again (expired leases come back).

Reported per phase: wall-clock claims/s, claim latency p50/p95 (ms), double claims (an
order received by two threads, or a thread's claim the database disagrees with: must be
0), orders lost (never claimed: must be 0). The pool holds 50 connections (PostgreSQL
allows 100 here, shared): 200 threads contend for them as 200 agents' requests would.

Writes bench/results/claims.json. Run:

    .venv/bin/python bench/claims.py                 # 4,000 orders
    .venv/bin/python bench/claims.py --orders 1000 --threads 200 --only sqlite

PostgreSQL: ``TRACING_BENCH_POSTGRES_URL`` (default postgresql://postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import select
from workload_site import throwaway_schema

from content.auth.models import User
from content.extensions import db
from content.users.operations import create_user
from tracing_app import create_app
from tracing_app.calls import operations
from tracing_app.calls.models import CallOrder, Campaign

RESULTS = Path(__file__).parent / "results" / "claims.json"
#: 11:00 in Brussels: within the default calling hours.
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
LEASE = timedelta(minutes=10)
POOL = {"pool_size": 50, "max_overflow": 0, "pool_timeout": 300}


def build_app(instance: str, url: str | None, schema: str | None):
    config = {
        "TESTING": True,
        "SECRET_KEY": "bench",
        "INSTANCE_PATH": instance,
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST_KIB": 1024,
        "ARGON2_PARALLELISM": 1,
        "SQLALCHEMY_ENGINE_OPTIONS": dict(POOL),
    }
    if url:
        config["SQLALCHEMY_DATABASE_URI"] = url
        config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"] = {"options": f"-csearch_path={schema}"}
    return create_app(config)


def seed(orders: int, threads: int) -> list[int]:
    # Each thread claims until the queue is empty: preview campaigns, so one agent may
    # hold every order (with the default of 1, "Next call" would give the held call back).
    campaigns = [Campaign(name=f"Bench {p}", priority=p, max_live_calls=orders) for p in range(3)]
    db.session.add_all(campaigns)
    db.session.flush()
    for number in range(orders):
        operations.enqueue(
            campaigns[number % 3],
            due_dt=NOW - timedelta(minutes=number % 17),
            priority=number % 5,
        )
    agents = [
        create_user(f"agent{n}@bench.example", "a long enough password", roles=["agent"])
        for n in range(threads)
    ]
    db.session.commit()
    return [agent.id for agent in agents]


def claim_phase(app, agent_ids: list[int], now: datetime) -> dict:
    claims: dict[int, list[int]] = {agent_id: [] for agent_id in agent_ids}
    latencies: list[float] = []
    errors: list[str] = []
    start = threading.Barrier(len(agent_ids) + 1)
    lock = threading.Lock()

    def work(agent_id: int) -> None:
        own: list[float] = []
        with app.app_context():
            try:
                agent = db.session.get(User, agent_id)
                db.session.rollback()
                start.wait()
                while True:
                    began = time.perf_counter()
                    order = operations.claim_next_call(agent, now=now, lease=LEASE)
                    own.append(time.perf_counter() - began)
                    if order is None:
                        break
                    claims[agent_id].append(order.id)
                    db.session.rollback()
            except Exception as exc:
                errors.append(type(exc).__name__)
            finally:
                db.session.remove()
                with lock:
                    latencies.extend(own)

    workers = [threading.Thread(target=work, args=(a,)) for a in agent_ids]
    for worker in workers:
        worker.start()
    start.wait()
    began = time.perf_counter()
    for worker in workers:
        worker.join()
    wall = time.perf_counter() - began

    claimed = [order_id for ids in claims.values() for order_id in ids]
    with app.app_context():
        holders = dict(db.session.execute(select(CallOrder.id, CallOrder.claimed_by_id)).all())
    disagreements = sum(
        1 for agent_id, ids in claims.items() for oid in ids if holders.get(oid) != agent_id
    )
    latencies.sort()
    return {
        "claims": len(claimed),
        "seconds": round(wall, 2),
        "claims_per_s": round(len(claimed) / wall, 1),
        "latency_p50_ms": round(statistics.median(latencies) * 1000, 1),
        "latency_p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000, 1),
        "double_claims": (len(claimed) - len(set(claimed))) + disagreements,
        "orders_lost": len(set(holders) - set(claimed)),
        "threads_that_claimed": sum(1 for ids in claims.values() if ids),
        "errors": errors,
    }


def run(app, orders: int, threads: int) -> dict:
    with app.app_context():
        upgrade(revision="heads")
        agent_ids = seed(orders, threads)
    first = claim_phase(app, agent_ids, NOW)
    expired = claim_phase(app, agent_ids, NOW + LEASE)
    with app.app_context():
        db.engine.dispose()
    return {"queued": first, "expired_leases": expired}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=4000)
    parser.add_argument("--threads", type=int, default=200)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    figures: dict = {"orders": args.orders, "threads": args.threads, "pool": POOL}
    if RESULTS.exists():  # keep the other database's figures when running one
        figures = {**json.loads(RESULTS.read_text()), **figures}

    if args.only != "postgresql":
        with tempfile.TemporaryDirectory() as instance:
            app = build_app(instance, None, None)
            figures["sqlite"] = run(app, args.orders, args.threads)
            print("sqlite", json.dumps(figures["sqlite"]))
    if args.only != "sqlite":
        run_postgresql(figures, args)

    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")


def run_postgresql(figures: dict, args) -> None:
    with throwaway_schema("bench_claims") as (url, schema, instance):
        app = build_app(instance, url.replace("postgresql://", "postgresql+psycopg://", 1), schema)
        figures["postgresql"] = run(app, args.orders, args.threads)
        print("postgresql", json.dumps(figures["postgresql"]))


if __name__ == "__main__":
    main()
