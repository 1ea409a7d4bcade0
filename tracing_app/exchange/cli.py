"""``tracing-app exchange``: API tokens and the data dictionary from the command line."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from content.extensions import db
from content.i18n import _
from tracing_app.audit.operations import record
from tracing_app.exchange import changes, dictionary, export, fhir, tokens

exchange_group = AppGroup("exchange", help="Data exchange with the public-health institute.")
tokens_group = AppGroup("tokens", help="Create, list and revoke API tokens.")
exchange_group.add_command(tokens_group)


@tokens_group.command("create")
@click.argument("name")
@click.option("--scopes", required=True, help="Comma-separated: orders:write,data:read")
def create_command(name: str, scopes: str) -> None:
    """Create an API client; print its token once."""
    try:
        client, token = tokens.create_client(
            name, [s.strip() for s in scopes.split(",") if s.strip()], actor=None
        )
    except tokens.TokenError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(_("Client %(name)s created with scopes %(scopes)s.", name=client.name,
                 scopes=client.scopes))  # fmt: skip
    click.echo(_("Token (shown only once):"), err=True)
    click.echo(token)


@tokens_group.command("list")
def list_command() -> None:
    """List API clients with their scopes, state and last use."""
    for client in tokens.list_clients():
        state = _("active") if client.active else _("revoked")
        last = client.last_used_dt.isoformat(timespec="minutes") if client.last_used_dt else "-"
        click.echo(f"{client.name}\t{client.token_prefix}…\t{client.scopes}\t{state}\t{last}")


@tokens_group.command("revoke")
@click.argument("name")
def revoke_command(name: str) -> None:
    """Revoke a client's token at once."""
    client = tokens.find_client(name)
    if client is None:
        raise click.ClickException(_("No API client named %(name)s.", name=name))
    tokens.revoke_client(client, actor=None)
    db.session.commit()
    click.echo(_("The token of %(name)s no longer works.", name=client.name))


@exchange_group.command("dictionary")
def dictionary_command() -> None:
    """Print the data dictionary as JSON."""
    document = dictionary.as_json(dictionary.data_dictionary())
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))


class _Progress:
    """Pass records through, counting them and keeping the cursor after the last one."""

    def __init__(self, pairs, cursor: str) -> None:
        self.pairs, self.cursor, self.count = pairs, cursor, 0

    def __iter__(self):
        for item, cursor in self.pairs:
            self.count += 1
            self.cursor = cursor
            yield item


@exchange_group.command("export")
@click.option("--feed", type=click.Choice(sorted(export.FEEDS)), default="tickets")
@click.option("--since", "cursor", default="", help="The cursor a previous export ended with.")
@click.option("--format", "output", type=click.Choice(["jsonl", "csv", "fhir"]), default="jsonl")
def export_command(feed: str, cursor: str, output: str) -> None:
    """Write every record saved after the cursor to standard output; print the next cursor.

    The cursor goes to standard error, last line, so the data can be redirected to a file.
    """
    try:
        start = changes.Cursor.decode(cursor)
    except changes.CursorError as exc:
        raise click.ClickException(_("That is not a cursor of this site.")) from exc
    if output == "fhir" and feed != "forms":
        raise click.ClickException(_("FHIR is offered for forms only (--feed forms)."))
    progress = _Progress(export.iterate(feed, cursor), start.encode())
    if output == "fhir":
        lines = fhir.response_lines(progress)
    elif output == "csv":
        lines = export.csv_lines(feed, progress)
    else:
        lines = export.jsonl_lines(progress)
    for line in lines:
        click.echo(line, nl=False)
    record(
        "exchange.export",
        actor=None,
        subject_type="export",
        subject_id=feed,
        details={"records": progress.count, "format": output},
    )
    db.session.commit()
    click.echo(
        _("%(num)d records; next cursor: %(cursor)s", num=progress.count, cursor=progress.cursor),
        err=True,
    )
