"""The audit log's periodic check, declared as a job by the workspace plugin."""

from __future__ import annotations

from datetime import datetime

from tracing_app.audit.operations import verify_chain


class AuditChainBroken(Exception):
    """The hash chain of the audit log does not verify."""


def verify_audit_chain(now: datetime) -> str:
    """Verify the whole chain; fail (visible on the jobs page) at the first bad entry.

    :raise AuditChainBroken: with the id of the first entry that does not verify.
    """
    result = verify_chain()
    if not result.ok:
        raise AuditChainBroken(f"entry {result.first_bad_id} does not verify")
    return f"{result.checked} entries verified"
