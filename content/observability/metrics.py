"""The site's Prometheus metrics, defined once per process.

Under gunicorn, ``PROMETHEUS_MULTIPROC_DIR`` makes prometheus_client write each worker's
values to files in that folder and ``/metrics`` adds them up; without it (the embedded
default, tests) the values live in this process. What the database knows (queues, job
runs) is read when scraped instead, through the ``tracing_metrics`` hook.
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
LOGINS = Counter(
    "tracing_logins", "Sign-ins, by outcome: success, credentials (refused), throttled.",
    ["outcome"],
)  # fmt: skip
CLAIMS = Counter("tracing_call_claims", "Calls claimed by agents.")
DB_POOL = Gauge(
    "tracing_db_pool_connections",
    "Database connections of the app's pools (summed over live workers), by state.",
    ["state"], multiprocess_mode="livesum",
)  # fmt: skip


def count_claim() -> None:
    """Count one call claimed by an agent."""
    CLAIMS.inc()
