"""``tracing-app calls import FILE --campaign NAME``: queue call orders from CSV or JSON."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from content.auth.models import utcnow
from content.extensions import db
from content.i18n import _
from tracing_app.calls import importer
from tracing_app.calls.models import Campaign

calls_group = AppGroup("calls", help="Manage call lists.")


@calls_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--campaign", "campaign_name", required=True, help="Name of the campaign.")
def import_command(path: Path, campaign_name: str) -> None:
    """Import call orders; any problem imports nothing (exit status 1).

    Only counts, row numbers and ticket references are printed, never personal data.
    """
    campaign = db.session.scalars(select(Campaign).where(Campaign.name == campaign_name)).first()
    if campaign is None:
        raise click.ClickException(_("No campaign named %(name)s.", name=campaign_name))
    try:
        with path.open("rb") as file:  # one byte past the limit is enough to refuse
            data = file.read(current_app.config["IMPORT_MAX_BYTES"] + 1)
        summary = importer.import_orders(data, path.name, campaign, actor=None, now=utcnow())
    except importer.ImportRejected as exc:
        db.session.rollback()
        click.echo(_("Nothing was imported: the file has problems."), err=True)
        for problem in exc.problems:
            click.echo(_format(problem), err=True)
        raise click.exceptions.Exit(1) from None
    db.session.commit()
    click.echo(
        _(
            "%(orders)d call orders queued; tickets: %(created)d created, %(linked)d linked.",
            orders=summary.orders,
            created=summary.tickets_created,
            linked=summary.tickets_linked,
        )
    )
    for row in summary.already_queued:
        click.echo(_("Row %(row)d: this person already has an open call; none added.", row=row))
    for row, reference, others in summary.possible_duplicates:
        click.echo(
            _(
                "Row %(row)d: ticket %(ref)s may be the same person as %(others)s (merge?).",
                row=row,
                ref=reference,
                others=", ".join(others),
            )
        )


def _format(problem: importer.Problem) -> str:
    if problem.row == 0:
        return problem.message
    if problem.field:
        return _(
            "Row %(row)d, %(field)s: %(message)s",
            row=problem.row,
            field=problem.field,
            message=problem.message,
        )
    return _("Row %(row)d: %(message)s", row=problem.row, message=problem.message)
