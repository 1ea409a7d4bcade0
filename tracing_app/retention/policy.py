"""Retention periods per kind of data, read from ``RETENTION_DAYS`` (docs/configuration.md).

Periods count from the ticket's closure (``tickets.closed_dt``), except the exchange
feed's, which counts from the change. ``None`` keeps the kind for ever; the audit log is
always kept (docs/retention.md, "The audit log").
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

TICKETS = "tickets"
CALL_ATTEMPTS = "call_attempts"
DOCUMENTS = "documents"
EXCHANGE_FEED = "exchange_feed"
AUDIT_LOG = "audit_log"
KINDS = (TICKETS, CALL_ATTEMPTS, DOCUMENTS, EXCHANGE_FEED, AUDIT_LOG)

#: Defaults, in days; the site's instance file or ``TRACING_RETENTION_DAYS`` overrides them.
DEFAULT_DAYS = {
    TICKETS: 540,
    CALL_ATTEMPTS: 180,
    DOCUMENTS: 540,
    EXCHANGE_FEED: 90,
    AUDIT_LOG: None,
}


class RetentionConfigError(ValueError):
    """``RETENTION_DAYS`` names an unknown kind or a period that is not a positive number."""


def periods() -> dict[str, int | None]:
    """Return the retention period of every kind in days (None: kept).

    :raise RetentionConfigError: the setting is malformed, or tries to purge the audit log.
    """
    configured = dict(current_app.config.get("RETENTION_DAYS") or {})
    unknown = sorted(set(configured) - set(KINDS))
    if unknown:
        raise RetentionConfigError(f"RETENTION_DAYS: unknown kinds {', '.join(unknown)}")
    days = {**DEFAULT_DAYS, **configured}
    for kind, value in days.items():
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 1
        ):
            raise RetentionConfigError(f"RETENTION_DAYS: {kind} must be a whole number of days")
    if days[AUDIT_LOG] is not None:
        raise RetentionConfigError(
            "RETENTION_DAYS: the audit log is kept (it holds no personal data and its "
            "hash chain must stay verifiable); set audit_log to None"
        )
    return days


def cutoff(kind: str, now: datetime) -> datetime | None:
    """Return the moment before which a kind's data has expired (None: kept)."""
    days = periods()[kind]
    return None if days is None else now - timedelta(days=days)
