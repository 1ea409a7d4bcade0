"""``tracing-app audit verify``: check the audit log's hash chain."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from content.i18n import _
from tracing_app.audit import operations

audit_group = AppGroup("audit", help="Check the audit log.")


@audit_group.command("verify")
def verify_command() -> None:
    """Recompute the hash chain; exit with status 1 when it is broken."""
    result = operations.verify_chain()
    if not result.ok:
        click.echo(
            _(
                "Audit log BROKEN at entry %(id)d (%(num)d entries checked).",
                id=result.first_bad_id,
                num=result.checked,
            ),
            err=True,
        )
        raise click.exceptions.Exit(1)
    click.echo(_("Audit log intact: %(num)d entries checked.", num=result.checked))
    if result.last_hash:
        click.echo(_("Latest hash: %(hash)s", hash=result.last_hash))
