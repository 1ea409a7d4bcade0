"""The workspace gate: the one check every agent-facing view of the workspace makes."""

from __future__ import annotations

from content.gates import check_gate

#: The gate the LMS's certification opens (its ``grants``), see docs/lms-certification.md.
GATE = "workspace"


def check_workspace_gate() -> None:
    """Stop the request with the refusal page (which training to complete) unless allowed."""
    check_gate(GATE)
