"""Metrics read from the database when Prometheus scrapes (hook ``tracing_metrics``)."""

from __future__ import annotations

import logging

from flask import Flask
from prometheus_client.registry import Collector

from content.plugins import hook

logger = logging.getLogger(__name__)


class HookCollector(Collector):
    """Collect the metric families every plugin returns from ``tracing_metrics``."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self):
        """Yield each plugin's families; a plugin whose query fails is skipped and logged."""
        for implementation in hook(self.app).tracing_metrics.get_hookimpls():
            try:
                yield from implementation.function(app=self.app)
            except Exception:
                logger.exception("Metrics of %s failed", implementation.plugin_name)
