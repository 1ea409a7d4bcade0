"""Inbound-callback lookup with 1,000,000 tickets on PostgreSQL, against a primary-key select.

Builds a throwaway schema with the real migrations, then bulk-loads tickets (real AES-GCM
tokens for names, national number, birth date and phone) and their blind-index rows
(real HMACs under the instance's key) with COPY: the indexes of the migration are dropped
for the load and built again after it, as a restore would. Then times, in the same
process and session:

- baseline: ``select(Ticket).where(Ticket.id == …)`` (the cheapest ORM read of a ticket);
- ``tickets_by_index`` by national number, phone, last name + birth date, and for values
  that match nothing (the real lookup operation of the tickets package);
- the same plus ``ticket_summary`` of each hit (what the agent's result list shows:
  decrypts the row);
- a lookup by reference (a plain unique column);
- what the lookup screen does by national number: ``tickets.lookup.lookup`` (audit
  entries, access grants), the summaries, and the commit;
- PostgreSQL's own execution time of the lookup query (EXPLAIN ANALYZE) and its indexes;
- the tolerant lookups of #19 (``tickets.tolerant``): a last name as heard with the birth
  date (day and month swapped for half of them), with the year off by one, with the
  postcode; a phone without country code or trunk zero; the last 6 digits of a phone with
  the name as heard. Each as a ratio of the exact last name + birth date lookup with its
  summary (both decrypt), with recall in the first 3 and the false-positive candidates
  per lookup (index candidates that the decrypt filter drops);
- the index size per ticket, and what each index kind leaks: digests, groups, tickets
  sharing a digest with someone else, the largest group.

Writes bench/results/tickets_lookup.json. Run:

    .venv/bin/python bench/tickets_lookup.py               # 1,000,000 tickets
    .venv/bin/python bench/tickets_lookup.py --tickets 100000

PostgreSQL: ``TRACING_BENCH_POSTGRES_URL`` (default postgresql://postgres@127.0.0.1:5432/test).
The schema is dropped at the end, also after an error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import time
from pathlib import Path

import psycopg
from sites import postgres_site
from sqlalchemy import select

from content.auth.models import User
from content.extensions import db
from content.users.operations import create_user
from tracing_app.protection import blind_index as bi
from tracing_app.protection import tolerant_index as ti
from tracing_app.protection.crypto import context_for, encrypt
from tracing_app.protection.keyring import current_key_ring
from tracing_app.tickets import tolerant
from tracing_app.tickets.lookup import lookup
from tracing_app.tickets.models import Ticket, TicketBlindIndex
from tracing_app.tickets.operations import tickets_by_index
from tracing_app.tickets.reference import new_reference
from tracing_app.tickets.summaries import ticket_summary

RESULTS = Path(__file__).parent / "results" / "tickets_lookup.json"
LOOKUPS = 500  # per kind
SEED = 20261130
LAST_NAMES = [
    "Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens",
    "Wouters", "De Smet", "Dubois", "Lambert", "Dupont", "Martin", "Simon", "Laurent",
    "Vermeulen", "Van den Bossche", "D'Hondt", "Lejeune", "Renard", "Michel", "Leclercq",
    "Hermans", "Aerts", "Pauwels", "Vandenberghe", "Smets", "Desmet", "Vanderhaeghen",
]  # fmt: skip
#: How an agent wrote each name down from the phone (another spelling, particles apart).
HEARD = {
    "Peeters": "Peters", "Janssens": "Jansens", "Maes": "Maas", "Jacobs": "Jakobs",
    "Mertens": "Maertens", "Willems": "Wilems", "Claes": "Claas", "Goossens": "Gosens",
    "Wouters": "Wauters", "De Smet": "Desmet", "Dubois": "Du Bois", "Lambert": "Lambret",
    "Dupont": "Dupond", "Martin": "Martijn", "Simon": "Simons", "Laurent": "Lorent",
    "Vermeulen": "Vermeule", "Van den Bossche": "Van den Bosch", "D'Hondt": "Dhont",
    "Lejeune": "Le Jeune", "Renard": "Renart", "Michel": "Michiel", "Leclercq": "Leclerc",
    "Hermans": "Hermanns", "Aerts": "Arts", "Pauwels": "Pauels",
    "Vandenberghe": "Van den Berghe", "Smets": "Smeets", "Desmet": "De Smet",
    "Vanderhaeghen": "Vanderhagen",
}  # fmt: skip
#: Belgium has about 1,150 postcodes.
POSTCODES = 1125
FIRST_NAMES = ["An", "Bart", "Griet", "Jan", "Lotte", "Marie", "Luc", "Sofie", "Tom", "Eva"]
# Indexes the migration creates and the load drops for speed, then builds again.
INDEXES = {
    "ix_ticket_blind_indexes_kind_digest": "ticket_blind_indexes (kind, digest)",
    "ix_ticket_blind_indexes_ticket_id": "ticket_blind_indexes (ticket_id)",
    "ix_tickets_assigned_to_id": "tickets (assigned_to_id)",
    "ix_tickets_status": "tickets (status)",
}


def seeded(seed: int) -> random.Random:
    """A seeded generator: the same people in every run (test data, not secrets)."""
    return random.Random(seed)  # noqa: S311


def national_number(birth: dt.date, serial: int) -> str:
    """A valid Belgian national register number (digits only) for a birth date."""
    base = f"{birth:%y%m%d}{serial:03d}"
    if birth.year >= 2000:
        return f"{base}{97 - int('2' + base) % 97:02d}"
    return f"{base}{97 - int(base) % 97:02d}"


# A long tail of Flemish-looking names, as in Belgium, where the 30 most common last
# names are about one person in ten (Peeters, the first, about one in 300).
_PREFIXES = ["", "", "", "Van ", "De ", "Ver", "Van der ", "Le "]
_STEMS = [
    "Bae", "Ber", "Bo", "Cla", "Cop", "Dae", "Dier", "Ghe", "Goe", "Hae", "Her", "Jan",
    "Kee", "Lam", "Lee", "Maer", "Mer", "Nij", "Pee", "Rae", "Ro", "Sae", "Smi", "Stae",
    "Tae", "Vla", "Wau", "Wil", "Zee", "Bru",
]  # fmt: skip
_MIDDLES = ["ck", "gh", "l", "m", "n", "r", "s", "t", "d", "dt", "k", "ns"]
_ENDINGS = ["", "e", "s", "en", "ens", "er", "ert", "aert", "eels", "ijn", "ois", "ier"]
TAIL_NAMES = len(_PREFIXES) * len(_STEMS) * len(_MIDDLES) * len(_ENDINGS)
COMMON_SHARE = 0.1
# How an agent may mishear a tail name: the first of these that applies.
_MISHEARD = [("ae", "a"), ("ij", "y"), ("gh", "g"), ("dt", "t"), ("ee", "e"), ("ck", "k")]


def tail_name(j: int) -> str:
    """The j-th name of the long tail."""
    j, prefix = divmod(j, len(_PREFIXES))
    j, stem = divmod(j, len(_STEMS))
    j, middle = divmod(j, len(_MIDDLES))
    name = _STEMS[stem] + _MIDDLES[middle] + _ENDINGS[j % len(_ENDINGS)]
    return _PREFIXES[prefix] + (name.lower() if _PREFIXES[prefix] == "Ver" else name)


def heard(name: str) -> str:
    """The name as an agent wrote it down from the phone."""
    if name in HEARD:
        return HEARD[name]
    for old, new in _MISHEARD:
        if old in name:
            return name.replace(old, new, 1)
    return name + name[-1]  # a doubled last letter


def person(i: int, rng: random.Random) -> dict:
    """The i-th generated person: unique phone, Belgian-like spread of last names."""
    birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(365 * 80))
    common = rng.random() < COMMON_SHARE
    last_name = rng.choice(LAST_NAMES) if common else tail_name(rng.randrange(TAIL_NAMES))
    return {
        "first_name": rng.choice(FIRST_NAMES),
        "last_name": last_name,
        "birth_date": birth,
        # serial i % 997 + the birth date is not unique alone; the phone is.
        "national_number": national_number(birth, i % 997 + 1),
        "phone": f"+3247{i:07d}",
        "address": f"Kerkstraat {i % 200 + 1}, {1000 + 8 * (i * 7919 % POSTCODES)} Stad",
        "id": i,
    }


def normalized(kind: str, p: dict) -> str:
    """The normal form ``blind_index.normalize`` gives (checked on a sample before loading)."""
    if kind == bi.NATIONAL_NUMBER:
        return p["national_number"]
    if kind == bi.PHONE:
        return p["phone"]
    return f"{bi.normalize_name(p['last_name'])}|{p['birth_date'].isoformat()}"


def typed(kind: str, p: dict):
    """What an agent types for a person (formatted as people write it)."""
    if kind == bi.NATIONAL_NUMBER:
        n = p["national_number"]
        return f"{n[:2]}.{n[2:4]}.{n[4:6]}-{n[6:9]}.{n[9:]}"
    if kind == bi.PHONE:
        local = "0" + p["phone"][3:]
        return f"{local[:4]} {local[4:6]} {local[6:8]} {local[8:]}"
    return (p["last_name"].upper(), p["birth_date"])


def copy_text(value) -> str:
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def load(url: str, schema: str, count: int, ring) -> tuple[list[dict], list[str], float]:
    """Bulk-load ``count`` tickets and their indexes; return a sample of people, refs, seconds."""
    rng = seeded(SEED)
    ref_rng = seeded(SEED + 1)
    index_key = ring.blind_index_key(ring.current_id)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
    kinds = (bi.NATIONAL_NUMBER, bi.PHONE, bi.NAME_BIRTH_DATE)
    sample_every = max(1, count // (LOOKUPS * 2))
    sample, references, seen = [], [], set()
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=False) as conn:
        conn.execute(f'SET search_path TO "{schema}"')
        for name in INDEXES:
            conn.execute(f'DROP INDEX "{name}"')
        columns = (
            "id, reference, status, language, source, version, created_dt, updated_dt, "
            "first_name_enc, last_name_enc, national_number_enc, birth_date_enc, phone_enc, "
            "address_enc"
        )
        # One COPY at a time per connection: the tickets first, then (same seed, so the
        # same people) their blind-index rows.
        with conn.cursor().copy(f"COPY tickets ({columns}) FROM STDIN") as tickets:
            for i in range(1, count + 1):
                p = person(i, rng)
                reference = new_reference(ref_rng.randrange)
                while reference in seen:
                    reference = new_reference(ref_rng.randrange)
                seen.add(reference)
                values = {
                    "first_name": p["first_name"],
                    "last_name": p["last_name"],
                    "national_number": p["national_number"],
                    "birth_date": p["birth_date"].isoformat(),
                    "phone": p["phone"],
                    "address": p["address"],
                }
                tokens = [
                    encrypt(v, context=context_for("tickets", i, f), key_ring=ring)
                    for f, v in values.items()
                ]
                row = [i, reference, "open", "nl", "bench", 1, now, now, *tokens]
                tickets.write("\t".join(copy_text(v) for v in row) + "\n")
                if i % sample_every == 0:
                    sample.append(p)
                    references.append(reference)
        rng = seeded(SEED)
        index_id = 0
        with conn.cursor().copy(
            "COPY ticket_blind_indexes (id, ticket_id, kind, digest, key_id, indexed_dt) FROM STDIN"
        ) as indexes:
            for i in range(1, count + 1):
                p = person(i, rng)
                digests = [
                    (kind, bi.keyed_digest(index_key, kind, normalized(kind, p))) for kind in kinds
                ]
                digests += [
                    (kind, ti.digest(index_key, kind, value)) for kind, value in tolerant_values(p)
                ]
                for kind, digest in digests:
                    index_id += 1
                    indexes.write(f"{index_id}\t{i}\t{kind}\t{digest}\t{ring.current_id}\t{now}\n")
        for name, target in INDEXES.items():
            conn.execute(f'CREATE INDEX "{name}" ON {target}')
        conn.execute("SELECT setval(pg_get_serial_sequence('tickets', 'id'), %s)", (count,))
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('ticket_blind_indexes', 'id'), %s)", (index_id,)
        )
        conn.commit()
        conn.execute("ANALYZE tickets")
        conn.execute("ANALYZE ticket_blind_indexes")
        conn.commit()
    return sample, references, time.perf_counter() - started, index_id


def tolerant_values(p: dict) -> list[tuple[str, str]]:
    """The tolerant index values of a person, as ``operations.index_rows`` makes them."""
    return ti.stored_values(p["last_name"], p["birth_date"].isoformat(), p["phone"], p["address"])


def percentiles(samples: list[float]) -> dict:
    """p50 and p95 in milliseconds."""
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 3),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 3),
        "n": len(ordered),
    }


def timed(fn, arguments) -> list[float]:
    """Time ``fn(argument)`` for each argument, each in a fresh session (no identity map)."""
    samples = []
    for argument in arguments:
        db.session.remove()
        start = time.perf_counter()
        fn(argument)
        samples.append(time.perf_counter() - start)
    db.session.remove()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    args = parser.parse_args()
    with postgres_site("lookup") as site:
        figures = run(site.app, site.url, site.schema, args.tickets)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))


def run(app, url: str, schema: str, count: int) -> dict:
    """Load the tickets, check the normal forms, time the lookups."""
    ring = current_key_ring()
    probe = person(1, seeded(0))
    for kind in (bi.NATIONAL_NUMBER, bi.PHONE, bi.NAME_BIRTH_DATE):
        assert bi.normalize(kind, typed(kind, probe)) == normalized(kind, probe), kind
    sample, references, load_seconds, index_rows = load(url, schema, count, ring)
    rng = seeded(SEED + 2)
    people = rng.sample(sample, min(LOOKUPS, len(sample)))
    ids = [rng.randrange(1, count + 1) for _ in people]
    agent_id = create_user("agent@bench.example.org", "bench password", roles=["agent"]).id
    db.session.commit()
    # Warm up the connection pool, the statement caches and the index pages once.
    timed(lambda i: db.session.scalars(select(Ticket).where(Ticket.id == i)).one(), ids[:50])

    results: dict = {}
    # Interleave: baseline and each kind take turns, so machine noise hits all alike.
    samples: dict[str, list[float]] = {}
    misses = [
        {
            **p,
            "national_number": national_number(p["birth_date"], 998),
            "phone": "+3246" + p["phone"][5:],
        }
        for p in people
    ]
    for start in range(0, len(people), 100):
        batch = slice(start, start + 100)
        runs = {
            "baseline_primary_key": (
                lambda i: db.session.scalars(select(Ticket).where(Ticket.id == i)).one(),
                ids[batch],
            ),
            "reference": (
                lambda r: db.session.scalars(select(Ticket).where(Ticket.reference == r)).one(),
                references[: len(people)][batch],
            ),
        }
        # What the lookup screen does: search, audit, grant access, summaries, commit.
        runs["screen_national_number"] = (
            lambda v: _screen(bi.NATIONAL_NUMBER, v, agent_id),
            [typed(bi.NATIONAL_NUMBER, p) for p in people[batch]],
        )
        for kind in (bi.NATIONAL_NUMBER, bi.PHONE, bi.NAME_BIRTH_DATE):
            found = [typed(kind, p) for p in people[batch]]
            runs[kind] = (lambda v, k=kind: _must_find(tickets_by_index(k, v)), found)
            runs[f"{kind}_with_summary"] = (
                lambda v, k=kind: [ticket_summary(t) for t in _must_find(tickets_by_index(k, v))],
                found,
            )
        runs["no_match_national_number"] = (
            lambda v: _must_miss(tickets_by_index(bi.NATIONAL_NUMBER, v)),
            [typed(bi.NATIONAL_NUMBER, p) for p in misses[batch]],
        )
        for name, (fn, arguments) in runs.items():
            samples.setdefault(name, []).extend(timed(fn, arguments))

    tolerant_figures = time_tolerant(people, samples, ring)
    baseline = percentiles(samples.pop("baseline_primary_key"))
    results["baseline_primary_key"] = baseline
    for name, values in samples.items():
        figures = percentiles(values)
        figures["p50_ratio_to_baseline"] = round(figures["p50_ms"] / baseline["p50_ms"], 2)
        figures["p95_ratio_to_baseline"] = round(figures["p95_ms"] / baseline["p95_ms"], 2)
        results[name] = figures
    results["database_execution_national_number"] = explain(ring, people)
    exact = results["name_birth_date_with_summary"]
    for name, figures in tolerant_figures.items():
        timing = results[name]
        figures["p95_ratio_to_exact_name_birth_date_with_summary"] = round(
            timing["p95_ms"] / exact["p95_ms"], 2
        )
        timing.update(figures)
    with db.engine.connect() as conn:
        sizes = conn.exec_driver_sql(
            "SELECT pg_size_pretty(pg_total_relation_size('tickets')), "
            "pg_size_pretty(pg_total_relation_size('ticket_blind_indexes'))"
        ).one()
    leakage = index_leakage(count)
    return {
        "tickets": count,
        "blind_index_rows": index_rows,
        "blind_index_rows_per_ticket": round(index_rows / count, 2),
        "blind_index_bytes_per_ticket": leakage.pop("bytes_per_ticket"),
        "index_leakage": leakage,
        "build_seconds": round(load_seconds, 1),
        # Other people's work on the same 2 cores: read the absolute times with it.
        "load_average_1min_at_end": round(os.getloadavg()[0], 1),
        "table_sizes": {"tickets": sizes[0], "ticket_blind_indexes": sizes[1]},
        "target_p95_ms": 10,
        "target_tolerant_p95_ms": 50,
        "lookups": results,
    }


def _year_off(p: dict) -> dt.date:
    birth = p["birth_date"]
    return birth.replace(year=birth.year + 1) if (birth.month, birth.day) != (2, 29) else birth


def _swapped(p: dict, i: int) -> dt.date:
    birth = p["birth_date"]
    if i % 2 and birth.day <= 12:
        return birth.replace(month=birth.day, day=birth.month)
    return birth


def time_tolerant(people: list[dict], samples: dict, ring) -> dict:
    """Time the tolerant lookups; count recall in the first 3 and false candidates."""
    searches = {
        "tolerant_name_birth_date": [
            tolerant.NameSearch(heard(p["last_name"]), birth_date=_swapped(p, i))
            for i, p in enumerate(people)
        ],
        "tolerant_name_year_off": [
            tolerant.NameSearch(heard(p["last_name"]), birth_date=_year_off(p), year_tolerance=True)
            for p in people
        ],
        "tolerant_name_postcode": [
            tolerant.NameSearch(heard(p["last_name"]), postcode=ti.postcode_of(p["address"]))
            for p in people
        ],
    }
    phones = {
        "tolerant_phone_national": [(p["phone"][3:], None) for p in people],
        "tolerant_phone_tail_name": [(p["phone"][-6:], heard(p["last_name"])) for p in people],
    }
    figures: dict = {}

    def run_name(search):
        try:
            return tolerant.find_by_name(search)
        except tolerant.TooManyMatches:
            return None

    def run_phone(arguments):
        try:
            return tolerant.find_by_phone(*arguments)
        except tolerant.TooManyMatches:
            return None

    for name, arguments in searches.items():
        samples[name] = timed(run_name, arguments)
        figures[name] = _quality(name, people, arguments, run_name, ring)
    for name, arguments in phones.items():
        samples[name] = timed(run_phone, arguments)
        figures[name] = _quality(name, people, arguments, run_phone, ring)
    return figures


def _quality(name: str, people: list[dict], arguments: list, run, ring) -> dict:
    """Recall in the first 3, 'too many' answers, and candidates the decrypt filter drops."""
    hits = too_many = false_candidates = 0
    for p, argument in zip(people, arguments, strict=True):
        found = run(argument)
        db.session.remove()
        if found is None:
            too_many += 1
            continue
        hits += p["id"] in [t.id for t in found[:3]]
        if isinstance(argument, tolerant.NameSearch):
            stats: dict = {}
            tolerant.find_by_name(argument, stats=stats)
            false_candidates += stats["candidates"] - len(found)
            db.session.remove()
            continue
        if argument[1] is None:
            queries = {ti.PHONE_NATIONAL: ti.national_candidates(argument[0])}
        else:
            queries = ti.tail_queries(argument[0], argument[1])
        candidates = tolerant._candidates(queries, ring)
        false_candidates += len(candidates) - len(found)
        db.session.remove()
    return {
        "recall_top3": round(hits / len(people), 4),
        "too_many_matches": too_many,
        "false_candidates_per_lookup": round(false_candidates / max(1, len(people) - too_many), 2),
    }


def index_leakage(count: int) -> dict:
    """What a stolen database tells per index kind: groups of tickets sharing a digest."""
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT kind, count(*) AS digests, sum(size) AS entries, max(size) AS largest, "
            "sum(size) FILTER (WHERE size > 1) AS shared "
            "FROM (SELECT kind, digest, count(*) AS size FROM ticket_blind_indexes "
            "GROUP BY kind, digest) AS groups GROUP BY kind ORDER BY kind"
        ).all()
        total = conn.exec_driver_sql(
            "SELECT pg_total_relation_size('ticket_blind_indexes')"
        ).scalar()
    leakage = {
        row.kind: {
            "digests": row.digests,
            "entries": int(row.entries),
            "mean_group": round(int(row.entries) / row.digests, 2),
            "largest_group": row.largest,
            "entries_sharing_a_digest": round(int(row.shared or 0) / int(row.entries), 4),
        }
        for row in rows
    }
    leakage["bytes_per_ticket"] = round(total / count)
    return leakage


def explain(ring, people: list[dict]) -> dict:
    """PostgreSQL's own execution time of the lookup query (EXPLAIN ANALYZE), and its plan.

    The same SQL as ``tickets_by_index``; the figure leaves out Python, the driver and the
    network, which the machine's other load inflates.
    """
    times, plan_nodes = [], set()
    with db.engine.connect() as conn:
        for p in people:
            digests = bi.candidate_indexes(bi.NATIONAL_NUMBER, typed(bi.NATIONAL_NUMBER, p), ring)
            ids = select(TicketBlindIndex.ticket_id).where(
                TicketBlindIndex.kind == bi.NATIONAL_NUMBER, TicketBlindIndex.digest.in_(digests)
            )
            query = select(Ticket).where(Ticket.id.in_(ids))
            compiled = query.compile(conn, compile_kwargs={"literal_binds": True})
            (plan,) = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, FORMAT JSON) {compiled}").one()
            times.append(plan[0]["Execution Time"] / 1000)
            plan_nodes |= set(_index_names(plan[0]["Plan"]))
    figures = percentiles(times)
    figures["indexes_used"] = sorted(plan_nodes)
    return figures


def _index_names(node: dict):
    if "Index Name" in node:
        yield node["Index Name"]
    for child in node.get("Plans", []):
        yield from _index_names(child)


def _screen(kind: str, value, agent_id: int) -> list[dict]:
    """The lookup view's work: ``lookup`` (audited, grants access), summaries, commit."""
    agent = db.session.get(User, agent_id)
    found = _must_find(lookup(kind, value, actor=agent, reason="inbound callback"))
    summaries = [ticket_summary(ticket) for ticket in found]
    db.session.commit()
    return summaries


def _must_find(tickets: list) -> list:
    assert tickets, "a generated person was not found"
    return tickets


def _must_miss(tickets: list) -> list:
    assert not tickets, "a value nobody has found a ticket"
    return tickets


if __name__ == "__main__":
    main()
