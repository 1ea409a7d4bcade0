"""``/metrics`` for Prometheus: a bearer token, all workers' values, the database's gauges."""

from __future__ import annotations

import hmac
import os

from flask import Response, abort, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)

from content.auth.roles import PUBLIC, requires
from content.extensions import db
from content.observability.collectors import HookCollector


@requires(PUBLIC)  # machines, not users: the bearer token below is the check
def metrics():
    """Answer the metrics to a scraper holding METRICS_TOKEN; 404 when no token is set."""
    token = current_app.config.get("METRICS_TOKEN")
    if not token:
        abort(404)
    given = request.headers.get("Authorization", "").encode()
    if not hmac.compare_digest(given, f"Bearer {token}".encode()):
        return Response("", 401, {"WWW-Authenticate": 'Bearer realm="metrics"'})
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        process_registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(process_registry)
    else:
        process_registry = REGISTRY
    database_registry = CollectorRegistry()
    database_registry.register(HookCollector(current_app._get_current_object()))
    body = generate_latest(process_registry) + generate_latest(database_registry)
    db.session.rollback()  # the collectors only read
    return Response(body, 200, {"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"})
