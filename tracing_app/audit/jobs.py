"""The audit log's periodic check, declared as a job by the workspace plugin."""

from __future__ import annotations

from datetime import datetime

from tracing_app.audit.checkpoints import write_checkpoint
from tracing_app.audit.operations import verify_chain


class AuditChainBroken(Exception):
    """The hash chain of the audit log does not verify."""


def verify_audit_chain(now: datetime) -> str:
    """Verify the whole chain; fail (visible on the jobs page) at the first bad entry.

    :raise AuditChainBroken: with the id of the first entry that does not verify.
    """
    result = verify_chain()
    if not result.ok:
        where = result.first_bad_id if result.first_bad_id is not None else result.last_id
        raise AuditChainBroken(f"{result.problem or 'broken'} at entry {where}")
    return f"{result.checked} entries verified"


def checkpoint_audit_log(now: datetime) -> str:
    """Append a checkpoint of the committed log to the checkpoint file (outside the database)."""
    checkpoint = write_checkpoint()
    return f"{checkpoint.entries} entries up to {checkpoint.head_id}"
