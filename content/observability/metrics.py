"""The site's Prometheus metrics, defined once per process.

Under gunicorn, ``PROMETHEUS_MULTIPROC_DIR`` makes prometheus_client write each worker's
values to files in that folder, and the scrape endpoint adds them up; without it (the
embedded default, tests) the values live in this process.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

REQUESTS = Counter(
    "tracing_http_requests", "HTTP requests answered, by endpoint, method and status.",
    ["endpoint", "method", "status"],
)  # fmt: skip
LATENCY = Histogram(
    "tracing_http_request_duration_seconds", "Time to answer a request, by endpoint.",
    ["endpoint"], buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)  # fmt: skip
LOGINS = Counter("tracing_logins", "Sign-ins, by outcome (success, credentials, throttled).",
                 ["outcome"])  # fmt: skip
CLAIMS = Counter("tracing_call_claims", "Call orders claimed by agents.")
JOB_RUNS = Counter("tracing_job_runs", "Periodic job runs, by job and state.", ["job", "state"])
QUEUE = Gauge(
    "tracing_call_queue", "Call orders waiting to be claimed (read at scrape time).",
    multiprocess_mode="max",
)  # fmt: skip
DB_POOL = Gauge(
    "tracing_db_pool_connections", "Database connections of the pool, by state, per process.",
    ["state"], multiprocess_mode="liveall",
)  # fmt: skip


def count_job_run(job: str, state: str) -> None:
    """Count one finished job run."""
    JOB_RUNS.labels(job=job, state=state).inc()
