"""The figures of bench/agent_workload.py and bench/shift_start.py: p50/p95 per request type.

Per stage of agents, or per period of a run (the sign-in ramp, after it); side by side.

Not a benchmark itself.
"""

from __future__ import annotations

import statistics
from collections import defaultdict


def percentile(values: list[float], fraction: float) -> float:
    """The value below which ``fraction`` of the values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, round(fraction * len(ordered)) - 1)]


def figures(
    samples: list[tuple[str, float, bool, int]],
    stages: list[int],
    offsets: list[float],
    seconds: float,
) -> dict:
    """p50/p95 and errors per request type, per stage of agents."""
    return periods(samples, [f"{agents}_agents" for agents in stages], offsets, seconds)


def periods(
    samples: list[tuple[str, float, bool, int]],
    names: list[str],
    offsets: list[float],
    seconds: float,
) -> dict:
    """p50/p95 and errors per request type in each period (a sample's fourth item)."""
    by_stage: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for kind, elapsed, ok, stage in samples:
        by_stage[stage][kind].append((elapsed, ok))
    report = {}
    for number, name in enumerate(names):
        kinds = by_stage.get(number, {})
        baseline = [e for e, _ in kinds.get("baseline_healthz", [])]
        base_p95 = percentile(baseline, 0.95) if baseline else None
        stage_length = (offsets[number + 1] if number + 1 < len(offsets) else seconds) - offsets[
            number
        ]
        rows = {}
        for kind, samples in sorted(kinds.items()):
            times = [e for e, _ in samples]
            p95 = percentile(times, 0.95)
            rows[kind] = {
                "requests": len(samples),
                "errors": sum(not ok for _, ok in samples),
                "p50_ms": round(statistics.median(times) * 1000, 1),
                "p95_ms": round(p95 * 1000, 1),
                "p95_ratio_to_baseline": round(p95 / base_p95, 1) if base_p95 else None,
            }
        agent_requests = sum(r["requests"] for k, r in rows.items() if k != "baseline_healthz")
        report[name] = {
            "seconds": round(stage_length, 1),
            "agent_requests_per_second": round(agent_requests / stage_length, 1),
            "requests": rows,
        }
    return report


def comparison(runs: dict[str, dict]) -> dict:
    """Side by side per stage: p50/p95 per request type, throughput and errors."""
    first = next(iter(runs.values()))
    table = {}
    for stage in first["stages"]:
        rows = {}
        for kind in first["stages"][stage]["requests"]:
            rows[kind] = {
                f"{name}_{figure}": run["stages"][stage]["requests"].get(kind, {}).get(figure)
                for figure in ("p50_ms", "p95_ms", "errors")
                for name, run in runs.items()
            }
        table[stage] = {
            "agent_requests_per_second": {
                name: run["stages"][stage]["agent_requests_per_second"]
                for name, run in runs.items()
            },
            "requests": rows,
        }
    return table
