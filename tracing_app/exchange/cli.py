"""``tracing-app exchange``: API tokens and the data dictionary from the command line."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from content.extensions import db
from content.i18n import _
from tracing_app.exchange import dictionary, tokens

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
