"""``tracing-app retention report | purge | hold | release`` (docs/retention.md)."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from content.extensions import db
from content.i18n import _
from tracing_app.audit.operations import PersonalDataError
from tracing_app.retention import holds, policy
from tracing_app.retention.purge import DEFAULT_BATCH, purge
from tracing_app.retention.report import report
from tracing_app.tickets.models import Ticket

retention_group = AppGroup("retention", help="Erase personal data whose retention expired.")


def _periods() -> None:
    try:
        policy.periods()
    except policy.RetentionConfigError as exc:
        raise click.ClickException(str(exc)) from None


@retention_group.command("report")
def report_command() -> None:
    """Say per kind of data what a purge would erase now and when the next is due."""
    _periods()
    for line in report():
        if line.days is None:
            click.echo(_("%(kind)s: kept.", kind=line.kind))
            continue
        click.echo(
            _(
                "%(kind)s: kept %(days)d days after closure; %(num)d to purge now.",
                kind=line.kind,
                days=line.days,
                num=line.due,
            )
        )
        if line.next_due_dt is not None:
            click.echo(_("  next due on %(date)s", date=line.next_due_dt.date().isoformat()))


@retention_group.command("purge")
@click.option("--batch-size", default=DEFAULT_BATCH, show_default=True, type=click.IntRange(1))
def purge_command(batch_size: int) -> None:
    """Erase what expired (crypto-shredding the tickets' data keys); a second run continues."""
    _periods()
    done = purge(batch_size=batch_size)
    for kind, count in done.items():
        click.echo(_("%(kind)s: %(num)d purged.", kind=kind, num=count))


def _ticket(reference: str) -> Ticket:
    ticket = db.session.scalar(select(Ticket).where(Ticket.reference == reference.strip().upper()))
    if ticket is None:
        raise click.ClickException(_("No ticket with this reference."))
    return ticket


@retention_group.command("hold")
@click.argument("reference")
@click.option("--reason", required=True, help="Case or file number; no personal data.")
def hold_command(reference: str, reason: str) -> None:
    """Put a ticket on legal hold: nothing of it is purged until it is released."""
    try:
        holds.place_hold(_ticket(reference), reason, actor=None)
    except (holds.HoldError, PersonalDataError) as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(_("Ticket on legal hold."))


@retention_group.command("release")
@click.argument("reference")
def release_command(reference: str) -> None:
    """Release a ticket's legal hold: it is purged again once expired."""
    try:
        holds.release_hold(_ticket(reference), actor=None)
    except holds.HoldError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(_("Legal hold released."))
