"""A shift start: agents sign in with both factors over a ramp, then work calls (issue #14).

``--agents`` (default 2,000) agents arrive over ``--ramp-seconds`` (default 300): each at
a uniformly random moment of the ramp (seeded), so arrivals are steady on average with
the bunching of independent people (Poisson-like), not a pre-planned drip. Each signs in
as a browser does, with the production Argon2id parameters and the second factor that
production requires of agents (tracing_app/plugin.py):

    login_page (GET /en/login?next=/en/calls/) → typing (2–6 s) → password (POST, 302)
    → pending_redirect (GET /en/calls/, 302 to the second factor)
    → second_factor_page (GET) → typing the app's code (2–6 s) → totp (POST, 302)
    → calls_page (GET /en/calls/, 200: the workspace)

``sign_in`` is the whole sequence without the typing: what the agent waits for. Then
each agent works the call loop of bench/agent_calls.py (claim, call page, script page,
two autosaves, save, outcome) with ``--think`` seconds (default 10–30) before each step,
until ``--work-seconds`` (default 180) after the ramp's end. ``/healthz`` is asked twice
a second throughout (the baseline under the same load).

Figures per period, "ramp" (requests sent during it) and "after_ramp": p50/p95, errors
and error share per request type; sign-in p95 (password POST, TOTP POST, whole); the
CPU of gunicorn and of the load generator itself (``getrusage`` of this process against
wall time × cores), the whole machine's busy share (/proc/stat: other work included)
and the 1-minute load average; the targets of issue #14 checked. The one-time cost of
the Argon2id parameters (hash time, CPU, memory) is measured before the run.

Setup (not timed, bench/workload_site.py): a throwaway PostgreSQL schema, the campaign
with ``--orders`` call orders (default 3 per agent: about what they work through), the
agents' accounts with one password hash of ``--argon2`` and each an enrolled TOTP app.
One gunicorn host (bench/topologies.py), ``--workers`` × ``--threads`` (default 4 × 8,
deploy/gunicorn.conf.py on 2 cores). Writes bench/results/shift_start.json (``--out``).

    .venv/bin/python bench/shift_start.py                                   # ~9 minutes
    .venv/bin/python bench/shift_start.py --agents 500 --ramp-seconds 60 --work-seconds 90
    .venv/bin/python bench/shift_start.py --argon2 3,65536,4    # RFC 9106's second option
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import time
from pathlib import Path

import pyotp
from agent_calls import (
    CSRF,
    Recorder,
    agent_session,
    connection_pool,
    delayed,
    own_cpu_seconds,
    probe,
    sample_load,
    think_pause,
    work_calls,
)
from topologies import Topology, one_host
from workload_figures import percentile, periods
from workload_site import PASSWORD, seed, seeded, sign_in_as_in_production, throwaway_site
from yarl import URL

from content.config import DefaultConfig

RESULTS = Path(__file__).parent / "results" / "shift_start.json"
PERIODS = ("ramp", "after_ramp")
SIGN_IN = ("login_page", "password", "pending_redirect", "second_factor_page", "totp")
TYPING = (2.0, 6.0)
#: Issue #14's targets.
TARGET_P95_MS = 150
TARGET_SIGN_IN_P95_S = 5
TARGET_ERROR_SHARE = 0.001


# --- one agent ---------------------------------------------------------------------------------


async def sign_in(session, recorder: Recorder, email: str, secret: str, rng) -> str | None:
    """Sign in with password and TOTP as a browser does; return the calls page's CSRF token."""
    period = recorder.stage
    started = time.perf_counter()
    typing = 0.0

    async def type_for_a_while():
        nonlocal typing
        seconds = rng.uniform(*TYPING)
        typing += seconds
        await asyncio.sleep(seconds)

    status, page, _ = await recorder.request(
        session, "login_page", "GET", "/en/login", params={"next": "/en/calls/"}
    )
    token = CSRF.search(page) if status == 200 else None
    if token is None:
        return None
    await type_for_a_while()
    data = {"email": email, "password": PASSWORD, "next": "/en/calls/"}
    status, _, location = await recorder.request(
        session, "password", "POST", "/en/login", data={**data, "csrf_token": token.group(1)}
    )
    if status != 302:
        return None
    status, _, location = await recorder.request(
        session, "pending_redirect", "GET", URL(location).path_qs
    )
    if status != 302 or "second-factor" not in location:
        return None
    challenge = URL(location).path_qs
    status, page, _ = await recorder.request(session, "second_factor_page", "GET", challenge)
    token = CSRF.search(page) if status == 200 else None
    if token is None:
        return None
    await type_for_a_while()
    code = {"totp-code": pyotp.TOTP(secret).now(), "totp-next": "/en/calls/"}
    status, _, location = await recorder.request(
        session, "totp", "POST", challenge, data={**code, "totp-csrf_token": token.group(1)}
    )
    if status != 302:
        return None
    status, page, _ = await recorder.request(session, "calls_page", "GET", URL(location).path_qs)
    token = CSRF.search(page) if status == 200 else None
    if token is None:
        return None
    recorder.samples.append(("sign_in", time.perf_counter() - started - typing, True, period))
    return token.group(1)


async def agent(base, email, secret, recorder, stop, connector, think, rng) -> None:
    """One agent: sign in with both factors, then work calls until the run ends."""
    async with agent_session(base, connector) as session:
        token = await sign_in(session, recorder, email, secret, rng)
        recorder.statuses["sign_in"]["signed_in" if token else "failed"] += 1
        if token:
            await work_calls(session, recorder, token, think_pause(think, rng, stop))


# --- the run ----------------------------------------------------------------------------------


class Meter:
    """CPU of the servers, of this process and of the machine, read at each period's edge."""

    def __init__(self, topology: Topology):
        self.topology = topology
        self.readings: list[tuple[float, float, float, tuple[int, int]]] = []

    def read(self) -> None:
        """Note wall time, server and own CPU seconds, and the machine's busy/total ticks."""
        with open("/proc/stat") as stat:
            ticks = [int(n) for n in stat.readline().split()[1:]]
        idle = ticks[3] + ticks[4]  # idle + iowait
        self.readings.append(
            (
                time.monotonic(),
                self.topology.server_cpu_seconds(),
                own_cpu_seconds(),
                (sum(ticks) - idle, sum(ticks)),
            )
        )

    def between(self, first: int, last: int) -> dict:
        """CPU used between two readings, in cores and as shares of the machine."""
        (w0, s0, o0, (b0, t0)), (w1, s1, o1, (b1, t1)) = self.readings[first], self.readings[last]
        cores = os.cpu_count() or 1
        seconds = w1 - w0
        return {
            # CPU seconds over wall seconds: 1.0 is one core busy the whole period.
            "server_cpu_cores": round((s1 - s0) / seconds, 2),
            "load_generator_cpu_cores": round((o1 - o0) / seconds, 2),
            "load_generator_cpu_share_of_machine": round((o1 - o0) / seconds / cores, 3),
            "machine_busy_share": round((b1 - b0) / max(1, t1 - t0), 2),
        }


async def shift(topology, accounts, ramp: float, work: float, think, meter: Meter):
    """Agents arrive over the ramp and work until ``work`` after it; return the recorder."""
    base = topology.url
    connector = connection_pool(topology.ssl_context)
    started = time.monotonic()
    stop = started + ramp + work
    recorder = Recorder(started)
    loads: dict[str, list[float]] = {name: [] for name in PERIODS}
    tasks = [
        asyncio.create_task(probe(base, recorder, stop, connector)),
        asyncio.create_task(sample_load(started + ramp, loads["ramp"])),
    ]
    arrivals = seeded(20261207)
    for index, (email, secret) in enumerate(accounts.items()):
        job = agent(base, email, secret, recorder, stop, connector, think, seeded(index))
        tasks.append(asyncio.create_task(delayed(arrivals.uniform(0, ramp), job)))
    meter.read()
    await asyncio.sleep(max(0.0, started + ramp - time.monotonic()))
    recorder.stage = 1
    meter.read()
    tasks.append(asyncio.create_task(sample_load(stop, loads["after_ramp"])))
    # Bounded: a few seconds of grace for answers on their way, then stop waiting.
    _done, pending = await asyncio.wait(tasks, timeout=max(0.0, stop + 5 - time.monotonic()))
    meter.read()
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    await connector.close()
    return recorder, loads, time.monotonic() - started


def argon2_cost(argon2: dict[str, int], rounds: int = 10) -> dict:
    """Time, CPU and memory of one hash and one verification with these parameters."""
    from argon2 import PasswordHasher

    hasher = PasswordHasher(**argon2)
    stored = hasher.hash(PASSWORD)
    walls, cpus = [], []
    for _ in range(rounds):
        cpu, wall = own_cpu_seconds(), time.perf_counter()
        hasher.verify(stored, PASSWORD)
        walls.append(time.perf_counter() - wall)
        cpus.append(own_cpu_seconds() - cpu)
    verify_cpu = statistics.median(cpus)
    return {
        **argon2,
        "memory_mib": round(argon2["memory_cost"] / 1024, 1),
        "verify_ms": round(statistics.median(walls) * 1000, 1),
        "verify_cpu_ms": round(verify_cpu * 1000, 1),
        # What the box can verify per second with every core on it (an upper bound).
        "verifications_per_second_all_cores": round((os.cpu_count() or 1) / verify_cpu, 1),
        "peak_rss_mib_of_this_process": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
        ),
    }


def summary(recorder: Recorder, ramp: float, seconds: float) -> dict:
    """The figures per period, sign-in percentiles and the targets of issue #14."""
    table = periods(recorder.samples, list(PERIODS), [0.0, ramp], seconds)
    for figures in table.values():
        rows = figures["requests"]
        sent = sum(r["requests"] for k, r in rows.items() if k not in ("baseline_healthz",))
        wrong = sum(r["errors"] for k, r in rows.items() if k not in ("baseline_healthz",))
        figures["error_share"] = round(wrong / sent, 5) if sent else None
    signed = [elapsed for kind, elapsed, _, _ in recorder.samples if kind == "sign_in"]
    during = {kind: table["ramp"]["requests"].get(kind, {}) for kind in ("password", "totp")}
    after = table["after_ramp"]["requests"]
    work_kinds = [
        k for k in after if k not in (*SIGN_IN, "sign_in", "calls_page", "baseline_healthz")
    ]
    sign_in_p95 = percentile(signed, 0.95) if signed else None
    return {
        "periods": table,
        "sign_in": {
            **{k: int(v) for k, v in recorder.statuses.pop("sign_in", {}).items()},
            "whole_p50_ms": round(statistics.median(signed) * 1000, 1) if signed else None,
            "whole_p95_ms": round(sign_in_p95 * 1000, 1) if signed else None,
            "whole_max_ms": round(max(signed) * 1000, 1) if signed else None,
            "password_post_p95_ms_during_ramp": during["password"].get("p95_ms"),
            "totp_post_p95_ms_during_ramp": during["totp"].get("p95_ms"),
        },
        "targets": {
            "p95_below_150_ms_after_ramp": {
                kind: after[kind]["p95_ms"] < TARGET_P95_MS for kind in work_kinds
            },
            "sign_in_p95_below_5_s": sign_in_p95 is not None and sign_in_p95 < TARGET_SIGN_IN_P95_S,
            "errors_below_0.1_percent": all(
                (f["error_share"] or 0) < TARGET_ERROR_SHARE for f in table.values()
            ),
        },
        "status_codes": {k: dict(v) for k, v in recorder.statuses.items()},
    }


def measure(args, argon2: dict[str, int]) -> dict:
    """Seed a fresh schema, serve it with gunicorn, run the shift; the figures."""
    with throwaway_site("bench_shift") as (settings, instance):
        setup_started = time.perf_counter()
        emails = seed(settings, args.agents, args.orders or 3 * args.agents)
        accounts = sign_in_as_in_production(settings, emails, argon2)
        setup_seconds = time.perf_counter() - setup_started
        # The served site: production's sign-in (Argon2id, second factor for agents).
        os.environ.pop("TRACING_SECOND_FACTOR_REQUIRED_ROLES", None)
        served = {k: v for k, v in settings.items() if "SECOND_FACTOR" not in k}
        served["TRACING_ARGON2_TIME_COST"] = str(argon2["time_cost"])
        served["TRACING_ARGON2_MEMORY_COST_KIB"] = str(argon2["memory_cost"])
        served["TRACING_ARGON2_PARALLELISM"] = str(argon2["parallelism"])
        low, high = args.think

        def think(rng):
            return rng.uniform(low, high)

        with one_host(served, args.workers, args.threads, Path(instance)) as topology:
            meter = Meter(topology)
            recorder, loads, seconds = asyncio.run(
                shift(topology, accounts, args.ramp_seconds, args.work_seconds, think, meter)
            )
    result = {
        "server": topology.description,
        "setup_seconds": round(setup_seconds, 1),
        "run_seconds": round(seconds, 1),
        **summary(recorder, args.ramp_seconds, seconds),
    }
    for number, name in enumerate(PERIODS):
        result["periods"][name]["cpu"] = meter.between(number, number + 1)
        samples = loads[name] or [os.getloadavg()[0]]
        result["periods"][name]["load_average_1min"] = {
            "mean": round(statistics.mean(samples), 1),
            "max": round(max(samples), 1),
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=2000)
    parser.add_argument("--ramp-seconds", type=float, default=300)
    parser.add_argument("--work-seconds", type=float, default=180, help="after the ramp")
    parser.add_argument("--think", default="10,30", help="think time range in seconds")
    parser.add_argument("--orders", type=int, default=0, help="default: 3 per agent")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8)
    production = (
        f"{DefaultConfig.ARGON2_TIME_COST},{DefaultConfig.ARGON2_MEMORY_COST_KIB},"
        f"{DefaultConfig.ARGON2_PARALLELISM}"
    )
    parser.add_argument(
        "--argon2",
        default=production,
        help=f"time cost, memory KiB, parallelism (default: production's, {production})",
    )
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args()
    args.think = tuple(float(x) for x in args.think.split(","))
    time_cost, memory, lanes = (int(x) for x in args.argon2.split(","))
    argon2 = {"time_cost": time_cost, "memory_cost": memory, "parallelism": lanes}
    result = {
        "cpu_cores": os.cpu_count(),
        "agents": args.agents,
        "ramp": {"seconds": args.ramp_seconds, "shape": "uniform random arrivals (seeded)"},
        "work_seconds_after_ramp": args.work_seconds,
        "think_time_seconds": list(args.think),
        "typing_seconds": list(TYPING),
        "argon2id": argon2_cost(argon2),
        "load_average_1min_before": round(os.getloadavg()[0], 1),
        **measure(args, argon2),
    }
    Path(args.out).parent.mkdir(exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
