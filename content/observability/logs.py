"""JSON log lines with the request id, and nothing a user typed.

Each record becomes one line: time, level, logger, message, the request id, and the
request fields the access line adds (method, endpoint, status, duration). Exceptions are
written as their type and stack, never their message: messages of database and
validation errors carry the values that caused them.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import traceback
from datetime import UTC, datetime

from flask import Flask

#: The current request's id (None outside a request).
request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

#: Fields that log calls may add with ``extra=`` (anything else is left out).
EXTRA_FIELDS = ("method", "endpoint", "status", "duration_ms", "job")


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as JSON."""
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        current = request_id.get()
        if current:
            line["request_id"] = current
        for name in EXTRA_FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info and record.exc_info[0] is not None:
            kind, _value, stack = record.exc_info
            line["exception"] = kind.__name__
            line["stack"] = "".join(traceback.format_tb(stack))
        return json.dumps(line, ensure_ascii=False, default=str)


def json_handler(stream=None) -> logging.Handler:
    """Return a handler writing JSON lines to ``stream`` (standard error by default)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.tracing_json = True  # marks ours: installed once per process
    return handler


def configure_logging(app: Flask) -> None:
    """Send every logger's records to standard error as JSON (``LOG_FORMAT = "json"``).

    Tests keep pytest's capture; ``LOG_FORMAT = "text"`` keeps Python's default.
    """
    if app.testing or app.config["LOG_FORMAT"] != "json":
        return
    root = logging.getLogger()
    if not any(getattr(handler, "tracing_json", False) for handler in root.handlers):
        root.addHandler(json_handler())
    root.setLevel(app.config["LOG_LEVEL"])
    # Flask's own handler would print the same records a second time, as text.
    from flask.logging import default_handler

    app.logger.removeHandler(default_handler)
