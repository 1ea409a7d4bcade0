"""Access gates: named checks that plugins answer (see ``tracing_access_denied``)."""

from __future__ import annotations

from flask import current_app

from content.plugins import hook


def access_denied(user, gate: str) -> list[str]:
    """Return the reasons the plugins give for keeping ``user`` out of ``gate`` (empty: allowed)."""
    return [
        reason for reason in hook(current_app).tracing_access_denied(user=user, gate=gate) if reason
    ]
