"""What ``verify_chain`` found, said for people: the CLI and the audit screen."""

from __future__ import annotations

from content.i18n import _
from tracing_app.audit import checkpoints
from tracing_app.audit.operations import (
    BAD_CHECKPOINT,
    DIVERGED,
    TRUNCATED,
    UNKEYED,
    VerificationResult,
)


def describe(result: VerificationResult) -> str:
    """Say what is wrong with the log, and from which entry (translated)."""
    checkpoint = result.checkpoint
    if result.problem == UNKEYED:
        return _(
            "Audit log entry %(id)d was written before the audit key: run "
            "'tracing-app audit rekey' once.",
            id=result.first_bad_id,
        )
    if result.problem == TRUNCATED:
        return _(
            "Audit log TRUNCATED: entries after entry %(last)s are missing; the checkpoint "
            "of %(time)s counted %(num)d entries up to entry %(head)d (%(found)d found).",
            last=result.last_id if result.last_id is not None else "-",
            time=checkpoint.written_dt,
            num=checkpoint.entries,
            head=checkpoint.head_id,
            found=result.checked,
        )
    if result.problem == DIVERGED:
        return _(
            "Audit log REWRITTEN from entry %(id)d on: it does not match the checkpoint of "
            "%(time)s (%(num)d entries up to entry %(head)d).",
            id=result.first_bad_id,
            time=checkpoint.written_dt,
            num=checkpoint.entries,
            head=checkpoint.head_id,
        )
    if result.problem == BAD_CHECKPOINT:
        reasons = {
            checkpoints.MALFORMED: _("not a checkpoint"),
            checkpoints.OTHER_KEY: _("written under another audit key"),
            checkpoints.ALTERED: _("altered, its MAC does not match"),
        }
        return _(
            "Checkpoint file %(path)s, line %(line)d: %(problem)s.",
            path=checkpoints.checkpoint_path(),
            line=result.error.line,
            problem=reasons[result.error.reason],
        )
    return _(
        "Audit log BROKEN at entry %(id)d (%(num)d entries checked).",
        id=result.first_bad_id,
        num=result.checked,
    )
