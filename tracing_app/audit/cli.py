"""``tracing-app audit verify | checkpoint | rekey``: check and anchor the audit log."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from content.extensions import db
from content.i18n import _
from tracing_app.audit import checkpoints, operations
from tracing_app.audit.checkpoints import CheckpointError
from tracing_app.audit.rekey import RekeyError, rekey
from tracing_app.audit.reports import describe
from tracing_app.protection.audit_key import current_audit_key
from tracing_app.protection.keys import KeyRingError

audit_group = AppGroup("audit", help="Check the audit log and anchor it outside the database.")


def _audit_key() -> None:
    try:
        current_audit_key()
    except KeyRingError as exc:
        raise click.ClickException(str(exc)) from None


@audit_group.command("verify")
def verify_command() -> None:
    """Check the keyed hash chain and the checkpoints; exit with status 1 when they disagree."""
    _audit_key()
    result = operations.verify_chain()
    if not result.ok:
        click.echo(describe(result), err=True)
        raise click.exceptions.Exit(1)
    click.echo(_("Audit log intact: %(num)d entries checked.", num=result.checked))
    if result.last_hash:
        click.echo(_("Latest hash: %(hash)s", hash=result.last_hash))
    if not checkpoints.read_checkpoints():
        click.echo(
            _(
                "No checkpoint yet: deleted newest entries would not be noticed. "
                "Run 'tracing-app audit checkpoint'."
            )
        )


@audit_group.command("checkpoint")
def checkpoint_command() -> None:
    """Append a signed checkpoint (entry count, latest hash, time) to the checkpoint file."""
    _audit_key()
    try:
        checkpoint = checkpoints.write_checkpoint()
    except OSError as exc:
        raise click.ClickException(
            _("The checkpoint file cannot be written: %(error)s", error=exc.strerror)
        ) from None
    click.echo(
        _(
            "Checkpoint written to %(path)s: %(num)d entries, latest hash %(hash)s.",
            path=checkpoints.checkpoint_path(),
            num=checkpoint.entries,
            hash=checkpoint.head_hash or "-",
        )
    )


@audit_group.command("rekey")
def rekey_command() -> None:
    """Put the existing log under the audit key (once, after upgrading); checks it first."""
    _audit_key()
    try:
        changed = rekey()
    except RekeyError as exc:
        db.session.rollback()
        click.echo(describe(exc.result), err=True)
        raise click.ClickException(_("Nothing was rewritten.")) from None
    except CheckpointError as exc:
        raise click.ClickException(
            describe(
                operations.VerificationResult(
                    False, None, 0, problem=operations.BAD_CHECKPOINT, error=exc
                )
            )
        ) from None
    operations.record(
        "audit.rekey", actor=None, subject_type="audit", subject_id=current_audit_key().key_id
    )
    db.session.commit()
    click.echo(_("Audit log rewritten under the audit key: %(num)d entries.", num=changed))
