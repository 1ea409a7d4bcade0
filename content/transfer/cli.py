"""The ``content`` commands: export the site's content as files, and import them."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from content.extensions import db
from content.i18n import _, ngettext
from content.items.operations import ContentError
from content.media.operations import MediaError
from content.transfer.checks import check_sources
from content.transfer.exporter import Counts, export_site
from content.transfer.format import TransferError
from content.transfer.importer import import_sources, importing_account
from content.transfer.reader import scan

content_group = AppGroup("content", help="Export and import content as Markdown files.")


@content_group.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def export_command(directory: Path) -> None:
    """Write every content item and media file below DIRECTORY (new or empty)."""
    try:
        counts = export_site(directory)
    except TransferError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(_("Exported to %(path)s:", path=directory))
    _echo_counts(counts)


@content_group.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--as",
    "as_email",
    metavar="EMAIL",
    help="Account recorded as author and publisher (default: the first active administrator).",
)
def import_command(directory: Path, as_email: str | None) -> None:
    """Check every file below DIRECTORY, then import them all, or nothing when one is wrong."""
    try:
        actor = importing_account(as_email)
    except TransferError as exc:
        raise click.ClickException(str(exc)) from exc
    sources, problems = scan(directory)
    problems += check_sources(sources)
    if problems:
        db.session.rollback()
        for problem in sorted(problems, key=lambda problem: problem.file):
            click.echo(str(problem), err=True)
        raise click.ClickException(
            ngettext(
                "Nothing was imported: %(num)d problem.",
                "Nothing was imported: %(num)d problems.",
                len(problems),
            )
        )
    try:
        counts = import_sources(sources, actor)
    except (ContentError, MediaError) as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(_("Imported:"))
    _echo_counts(counts)


def _echo_counts(counts: dict[str, Counts]) -> None:
    """Print one line per language, in the site's order of languages."""
    order = current_app.config["LANGUAGES"]
    ranks = {code: rank for rank, code in enumerate(order)}
    for language in sorted(counts, key=lambda code: (ranks.get(code, len(order)), code)):
        found = counts[language]
        items = ngettext("%(num)d item", "%(num)d items", found.items)
        media = ngettext("%(num)d media file", "%(num)d media files", found.media)
        line = _("%(language)s: %(items)s, %(media)s", language=language, items=items, media=media)
        click.echo("  " + line)
