"""Metrics for Prometheus and JSON logs with a request id (docs/operations.md).

``init_observability`` is called by the app factory; ``/metrics`` is a blueprint of the
core plugin; plugins add database gauges through ``tracing_metrics``.
"""

from __future__ import annotations

from flask import Flask


def init_observability(app: Flask) -> None:
    """Configure JSON logging, the request id and request metrics, and count sign-ins."""
    from flask_login import user_logged_in

    from content import signals
    from content.observability.logs import configure_logging
    from content.observability.requests import init_request_observation

    configure_logging(app)
    init_request_observation(app)
    user_logged_in.connect(_count_success, app, weak=False)
    signals.login_failed.connect(_count_failure, weak=False)


def _count_success(sender, **_kwargs) -> None:
    from content.observability.metrics import LOGINS

    LOGINS.labels("success").inc()


def _count_failure(sender, reason: str, **_kwargs) -> None:
    from content.observability.metrics import LOGINS

    LOGINS.labels(reason).inc()
