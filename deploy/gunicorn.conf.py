"""gunicorn settings of an app host: ``gunicorn -c deploy/gunicorn.conf.py``.

Every value can be changed through the environment variable named beside it, so the
systemd unit and the container share this file. See docs/operations.md.
"""

import gc
import os
import shutil
from pathlib import Path

wsgi_app = "tracing_app:create_app()"

#: nginx proxies to this address; keep it on a private interface or loopback.
bind = os.environ.get("TRACING_BIND", "127.0.0.1:8000")

# Threads, not processes, carry the concurrency: requests mostly wait for PostgreSQL, and
# threads share one connection pool per worker. Two workers per core keep the CPU busy
# while one worker waits on the GIL; 8 threads each is what bench/agent_workload.py
# measured as enough for 2,000 agents on 3 hosts of 2 cores.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1)))
worker_class = "gthread"
threads = int(os.environ.get("TRACING_THREADS", 8))

# A request that takes longer than this is stuck (the slowest, a PDF or an export page,
# takes a few seconds): the master kills and replaces the worker.
timeout = int(os.environ.get("TRACING_TIMEOUT", 60))
# On SIGTERM (systemctl stop/restart, a new release) workers stop accepting and finish
# the requests they hold for up to this long before they are killed. nginx sends new
# requests to the other hosts meanwhile.
graceful_timeout = int(os.environ.get("TRACING_GRACEFUL_TIMEOUT", 30))
# nginx keeps connections to the upstream open (keepalive in the upstream block); longer
# than nginx's idle time, so gunicorn never closes a connection nginx is about to reuse.
keepalive = int(os.environ.get("TRACING_KEEPALIVE", 75))

# Replace each worker after about this many requests, at different times (jitter): a slow
# leak in a library never grows without bound, and workers never restart all at once.
# Not much more often: a new worker costs ~2.5 s of CPU and starts with cold caches, and
# the old one closes its kept-alive connections (a POST sent on one fails). At a shift
# start's ~35 requests/s per worker, 5,000 replaced a worker every ~2.5 minutes
# (docs/decisions.md 66).
max_requests = int(os.environ.get("TRACING_MAX_REQUESTS", 50000))
max_requests_jitter = max_requests // 10

# No preload: each worker builds the app after the fork, so no database connection or
# pool is ever shared between processes, and `systemctl reload` (SIGHUP) starts workers
# on new code without dropping connections. The cost is a few seconds and some memory
# per worker at start.
preload_app = False

# Heartbeat files in memory, not on a disk that may stall under load.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# The app trusts X-Forwarded-* through TRACING_TRUSTED_PROXIES (werkzeug's ProxyFix);
# gunicorn itself need not interpret them.
forwarded_allow_ips = "127.0.0.1"

# nginx writes the access log; the app writes JSON lines with a request id to stderr
# (content/observability/logs.py), and gunicorn's own messages use the same format.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("TRACING_LOG_LEVEL", "info")
logconfig_dict = {
    "formatters": {"generic": {"()": "content.observability.logs.JsonFormatter"}},
}


def on_starting(server):
    """Empty the metrics folder of a previous run (its workers' files are stale)."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        Path(folder).mkdir(parents=True, exist_ok=True)


def post_worker_init(worker):
    """Freeze what the worker has built so far (the app, its modules) for the collector.

    Its full passes no longer walk those ~200,000 objects, which stalled every thread of
    the worker for about 0.1 s each time (docs/decisions.md 61).
    """
    gc.freeze()


def child_exit(server, worker):
    """Let prometheus_client drop the live gauges of a worker that ended."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
