"""``tracing-app backup DIR`` and ``tracing-app restore DIR [--replace]``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from content.backup.database import BackupError
from content.backup.operations import create_backup, restore_backup
from content.i18n import _


def _say_kept_separately(items) -> None:
    if items:
        click.echo(_("Not in the backup, keep these separately (without them the data is lost):"))
    for item in items:
        click.echo(f"  - {item.description}: {item.path}")


@click.command("backup")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def backup_command(directory: Path) -> None:
    """Copy the database and media files into DIRECTORY (new or empty) while the site runs."""
    try:
        report = create_backup(current_app._get_current_object(), directory)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(_("Backup written to %(path)s (%(num)d files).", path=directory, num=report.files))
    _say_kept_separately(report.kept_separately)


@click.command("restore")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Overwrite a site that is not empty.")
def restore_command(directory: Path, replace: bool) -> None:
    """Restore a backup into this site's database and files (stop the app hosts first)."""
    try:
        report = restore_backup(current_app._get_current_object(), directory, replace=replace)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        _("Backup restored from %(path)s (%(num)d files).", path=directory, num=report.files)
    )
    for item in report.missing_secrets:
        click.echo(_("Missing: %(what)s at %(path)s. Copy it there before starting the site.",
                     what=item.description, path=item.path))  # fmt: skip
    click.echo(_("Then run: tracing-app db upgrade heads"))
