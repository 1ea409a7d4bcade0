"""Metrics for Prometheus and JSON logs with a request id (docs/operations.md)."""
