"""Mixed agent workload against the site served by gunicorn on PostgreSQL, ramping to 2,000 agents.

Each simulated agent signs in once (password only: the second factor and the production
Argon2id cost are bench/shift_start.py's), then works calls in the loop of
bench/agent_calls.py with think time between steps: claim, the call desktop, open the
script, the desktop with its script panel, two autosaves, save, outcome.

Agents join in stages (default 250, 500, 1,000 then 2,000) within a bounded run (default
170 s). Every request is timed on its own (bench/agent_calls.py). A probe requests
``/healthz`` (one query) twice a second during the whole run: the baseline measured under
the same load, in the same process. p50/p95 per request type and stage go
to bench/results/agent_workload.json.

Setup (not timed): a throwaway PostgreSQL schema migrated with the real migrations, the
demo call scripts, one campaign on the outbound-case script with call orders, each with a
ticket (real encryption and blind indexes), and the agents' accounts. Passwords use cheap
Argon2 settings here: the bench measures agents' requests, not sign-in.

``--topology`` says where the agents send their requests (bench/topologies.py): ``one``
(default) one gunicorn host over plain HTTP; ``nginx2`` nginx with deploy/nginx (HTTPS,
rendered for loopback as the several-hosts harness does) in front of two gunicorn hosts
with half the ``--workers`` each, so both topologies run the same number of processes
and database connections; ``both`` runs one, then nginx2, each on a freshly seeded schema
(the one-agent service times once). Both share this machine's cores: the comparison shows
nginx's cost and the limit of one box, not the capacity a second machine would add.
Besides p50/p95 per request type: the 1-minute load average (mean, max, at the end), the
CPU the servers (gunicorn, nginx) and the load generator itself used, in cores. ``one``
writes bench/results/agent_workload.json; the others agent_workload_<topology>.json.

Everything listens on 127.0.0.1 only. Run (needs the ``bench`` extra: gunicorn, aiohttp;
``nginx2`` needs Debian's nginx and Redis):

    .venv/bin/python bench/agent_workload.py
    .venv/bin/python bench/agent_workload.py --stages 50,100 --duration 40   # a quick try
    .venv/bin/python bench/agent_workload.py --topology both --stages 250,500 --workers 4
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from pathlib import Path

import aiohttp
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
from agent_service import service_times
from topologies import TOPOLOGIES, Topology, nginx_two_hosts, one_host
from workload_figures import comparison, figures
from workload_site import PASSWORD, seed, seeded, throwaway_site

RESULTS = Path(__file__).parent / "results" / "agent_workload.json"


# --- the simulated agents ------------------------------------------------------------------


async def agent(base: str, email: str, recorder: Recorder, stop: float, connector, think, rng):
    """One agent: sign in (password only), then claim and work calls until the run ends."""
    async with agent_session(base, connector) as session:
        try:
            async with session.get("/en/login") as response:
                token = CSRF.search(await response.text()).group(1)
            data = {"email": email, "password": PASSWORD, "csrf_token": token}
            async with session.post("/en/login", data=data, allow_redirects=False) as response:
                if response.status != 302:
                    recorder.statuses["login"][str(response.status)] += 1
                    return
            async with session.get("/en/calls/") as response:
                token = CSRF.search(await response.text()).group(1)
        except (aiohttp.ClientError, TimeoutError, AttributeError) as exc:
            recorder.statuses["login"][type(exc).__name__] += 1
            return
        recorder.statuses["login"]["302"] += 1
        await work_calls(session, recorder, token, think_pause(think, rng, stop))


async def workload(
    topology: Topology, emails: list[str], stages: list[int], duration: float, think
):
    """Run the stages; return the recorder, the stage start offsets and the run's seconds."""
    base = topology.url
    connector = connection_pool(topology.ssl_context)
    started = time.monotonic()
    stop = started + duration
    recorder = Recorder(started)
    stage_length = duration / (len(stages) + 1)  # the last stage runs twice as long
    offsets = [round(i * stage_length, 1) for i in range(len(stages))]
    tasks = [
        asyncio.create_task(probe(base, recorder, stop, connector)),
        asyncio.create_task(sample_load(stop, recorder.load_samples)),
    ]
    rng = seeded(20261130)
    running = 0
    for number, (offset, target) in enumerate(zip(offsets, stages, strict=True)):
        await asyncio.sleep(max(0.0, started + offset - time.monotonic()))
        recorder.stage = number
        for index, email in enumerate(emails[running:target], start=running):
            agent_rng = seeded(index)
            tasks.append(
                asyncio.create_task(
                    delayed(
                        rng.uniform(0, min(10.0, stage_length / 2)),
                        agent(base, email, recorder, stop, connector, think, agent_rng),
                    )
                )
            )
        running = target
    # Bounded: a few seconds of grace for answers on their way, then stop waiting.
    _done, pending = await asyncio.wait(tasks, timeout=max(0.0, stop + 5 - time.monotonic()))
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    await connector.close()
    return recorder, offsets, time.monotonic() - started


# --- service time: one agent, no concurrency ------------------------------------------------


def measure(name: str, args, stages: list[int], think, with_service: bool) -> dict:
    """Seed a fresh schema, serve it in the topology ``name``, run the workload; the figures."""
    with throwaway_site("bench_agents") as (settings, instance):
        setup_started = time.perf_counter()
        emails = seed(settings, max(stages), args.orders)
        setup_seconds = time.perf_counter() - setup_started
        # The last agent's account: the run's agents join in order and rarely reach it.
        service = service_times(emails[-1]) if with_service else None
        if name == "one":
            serving = one_host(settings, args.workers, args.threads, Path(instance))
        else:
            # Half the workers each: the same processes and database connections in
            # total as "one", on the same cores; what differs is nginx and the split.
            per_host = max(1, args.workers // 2)
            serving = nginx_two_hosts(settings, per_host, args.threads, Path(instance))
        with serving as topology:
            server_cpu = topology.server_cpu_seconds()
            own_cpu = own_cpu_seconds()
            recorder, offsets, seconds = asyncio.run(
                workload(topology, emails, stages, args.duration, think)
            )
            server_cpu = topology.server_cpu_seconds() - server_cpu
            own_cpu = own_cpu_seconds() - own_cpu
    loads = recorder.load_samples
    cores = os.cpu_count() or 1
    result = {
        "server": topology.description,
        "setup_seconds": round(setup_seconds, 1),
        "run_seconds": round(seconds, 1),
        "load_average_1min": {
            "mean": round(statistics.mean(loads), 1),
            "max": round(max(loads), 1),
            "at_end": round(os.getloadavg()[0], 1),
        },
        # CPU seconds over the run's seconds: 1.0 is one core busy the whole run.
        "server_cpu_cores_used": round(server_cpu / seconds, 2),
        "load_generator_cpu_cores_used": round(own_cpu / seconds, 2),
        "load_generator_cpu_share_of_machine": round(own_cpu / seconds / cores, 2),
        "logins": dict(recorder.statuses.pop("login", {})),
        "status_codes": {k: dict(v) for k, v in recorder.statuses.items()},
        "stages": figures(recorder.samples, stages, offsets, seconds),
    }
    if service is not None:
        result["service_time_one_agent"] = service
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stages", default="250,500,1000,2000", help="agents per stage")
    parser.add_argument("--duration", type=float, default=170, help="seconds, at most 180")
    parser.add_argument("--think", default="10,30", help="think time range in seconds")
    parser.add_argument("--orders", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=3, help="of one host (nginx2: half)")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument(
        "--topology",
        choices=[*TOPOLOGIES, "both"],
        default="one",
        help="one gunicorn host, nginx in front of two, or both in turn",
    )
    args = parser.parse_args()
    stages = [int(n) for n in args.stages.split(",")]
    args.duration = min(args.duration, 180.0)
    low, high = (float(x) for x in args.think.split(","))

    def think(rng):
        return rng.uniform(low, high)

    names = TOPOLOGIES if args.topology == "both" else (args.topology,)
    runs = {
        name: measure(name, args, stages, think, with_service=index == 0)
        for index, name in enumerate(names)
    }
    common = {
        "cpu_cores": os.cpu_count(),
        "think_time_seconds": [low, high],
        "call_orders": args.orders,
        "target": "agent requests p95 < 150 ms at 2,000 agents",
    }
    if args.topology == "one":
        # The file of the single-host run keeps its shape.
        result = {**common, **runs["one"]}
        target = RESULTS
    else:
        result = {**common, "topologies": runs}
        if len(runs) > 1:
            result["comparison"] = comparison(runs)
        target = RESULTS.with_name(f"agent_workload_{args.topology}.json")
    target.parent.mkdir(exist_ok=True)
    target.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
