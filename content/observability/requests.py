"""Per request: an id, metrics by endpoint, one access log line, the pool's use."""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, current_app, g, request

from content.extensions import db
from content.observability import metrics
from content.observability.logs import request_id

access_logger = logging.getLogger("tracing.access")

#: A request id from nginx ($request_id: 32 hex digits) or another proxy.
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def _start() -> None:
    g.request_started = time.perf_counter()
    given = request.headers.get("X-Request-Id", "")
    # Only a trusted proxy may choose the id; a client could otherwise forge log lines.
    trusted = current_app.config["TRUSTED_PROXIES"] and VALID_REQUEST_ID.match(given)
    g.request_id = given if trusted else uuid.uuid4().hex
    g.request_id_token = request_id.set(g.request_id)


def _finish(response):
    endpoint = request.endpoint or "unmatched"
    seconds = time.perf_counter() - g.get("request_started", time.perf_counter())
    metrics.REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
    metrics.LATENCY.labels(endpoint).observe(seconds)
    response.headers["X-Request-Id"] = g.get("request_id", "")
    # The endpoint's name, never the path or query: they can hold references or names.
    access_logger.info(
        "%s %s %s", request.method, endpoint, response.status_code,
        extra={"method": request.method, "endpoint": endpoint,
               "status": response.status_code, "duration_ms": round(seconds * 1000, 1)},
    )  # fmt: skip
    _pool_gauges()
    return response


def _pool_gauges() -> None:
    pool = db.engine.pool
    if hasattr(pool, "checkedout"):
        metrics.DB_POOL.labels("checked_out").set(pool.checkedout())
        metrics.DB_POOL.labels("idle").set(pool.checkedin())


def _forget(_exc) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        request_id.reset(token)


def init_request_observation(app: Flask) -> None:
    """Install the request hooks (first, so the id exists for every later hook's logs)."""
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)
    app.teardown_request(_forget)
