"""The workspace gate: declared once per blueprint for every agent-facing view."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Blueprint

from content.gates import gate_blueprint

#: The gate the LMS's certification opens (its ``grants``), see docs/lms-certification.md.
GATE = "workspace"


def gate_workspace(bp: Blueprint, *, exempt: Iterable[str] = ()) -> None:
    """Put every view of ``bp`` behind the workspace gate, except the ``exempt`` view names.

    The core's access check asks the gate before each request (after the permission), so
    a view cannot forget it; ``tests/tracing_app/test_gate_declarations.py`` walks the URL
    map for blueprints without a declaration.
    """
    gate_blueprint(bp, GATE, exempt=exempt)


def outside_workspace(bp: Blueprint) -> None:
    """Declare a blueprint of the workspace package that is not behind the gate on purpose."""
    gate_blueprint(bp, None)
