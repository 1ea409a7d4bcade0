"""``tracing-app keys init | list | rotate | reindex | retire``: the data keys, their rotation.

Keys live in ``<instance>/keys.json`` or ``TRACING_DATA_KEYS``; these commands never put
them in the database, in ``app.config`` or on the terminal (only their ids).
"""

from __future__ import annotations

import os

import click
from flask import current_app
from flask.cli import AppGroup

from content.extensions import db
from content.i18n import _
from tracing_app.audit.operations import record
from tracing_app.protection import rotation
from tracing_app.protection.keyfile import (
    add_key_to_file,
    generate_key_file,
    key_file_path,
    remove_key_from_file,
)
from tracing_app.protection.keyring import current_key_ring, forget_key_ring
from tracing_app.protection.keys import KEYS_ENV_VAR, KeyRingError

keys_group = AppGroup("keys", help="Data keys: init, list, rotate, reindex, retire.")


def _from_environment() -> bool:
    return bool(os.environ.get(KEYS_ENV_VAR, "").strip())


@keys_group.command("init")
def init_command() -> None:
    """Create the key file with one key, unless it exists or the keys come from the environment."""
    if _from_environment():
        click.echo(_("The keys come from %(var)s: no key file needed.", var=KEYS_ENV_VAR))
        return
    path = key_file_path(current_app.instance_path)
    key_id = generate_key_file(path)
    if key_id is None:
        click.echo(_("The key file %(path)s exists already: left as it is.", path=path))
    else:
        forget_key_ring()
        click.echo(
            _(
                "Wrote a new key file %(path)s (key %(id)s). Back it up apart from the database.",
                path=path,
                id=key_id,
            )
        )


@keys_group.command("list")
def list_command() -> None:
    """List the key ids (oldest first), the current one, and what each still protects."""
    ring = current_key_ring()
    click.echo(_("Keys from %(source)s:", source=repr(ring).split("source=")[-1].rstrip(">")))
    for key_id in ring.key_ids:
        left = rotation.left_under(key_id)
        used = sum(left.values())
        mark = _("current") if key_id == ring.current_id else ""
        click.echo(f"  {key_id}  {mark:8}  " + _("%(num)d rows under this key", num=used))


@keys_group.command("rotate")
@click.option("--batch-size", default=rotation.DEFAULT_BATCH, show_default=True, type=int)
@click.option(
    "--no-new-key",
    is_flag=True,
    help="Re-encrypt under the current key without adding one (resume, or keys from the "
    "environment, or a key already made current on every host).",
)
def rotate_command(batch_size: int, no_new_key: bool) -> None:
    """Add a new current key, then re-encrypt every row and rebuild the blind indexes."""
    if not no_new_key:
        if _from_environment():
            raise click.ClickException(
                _(
                    "The keys come from %(var)s: add the new key there (last, or as "
                    "'current'), restart, then run 'keys rotate --no-new-key'.",
                    var=KEYS_ENV_VAR,
                )
            )
        new_id = add_key_to_file(key_file_path(current_app.instance_path), make_current=True)
        forget_key_ring()
        click.echo(_("New current key: %(id)s", id=new_id))
    ring = current_key_ring()
    _walk_declared_tables(
        rotation.rotate_all,
        ring,
        batch_size,
        action="keys.rotate",
        stopped=lambda exc: _(
            "Rotation stopped, nothing of the failing batch was written: %(error)s", error=exc
        ),
        done_line=lambda table, count: _(
            "%(table)s: %(num)d rows re-encrypted", table=table, num=count
        ),
    )
    old = [key_id for key_id in ring.key_ids if key_id != ring.current_id]
    if old:
        click.echo(
            _(
                "Older keys can be retired once backups made under them have expired: "
                "'tracing-app keys retire KEY_ID'."
            )
        )


@keys_group.command("reindex")
@click.option("--batch-size", default=rotation.DEFAULT_BATCH, show_default=True, type=int)
def reindex_command(batch_size: int) -> None:
    """Rebuild every blind index from the decrypted data (after a release adds indexes)."""
    _walk_declared_tables(
        rotation.reindex_all,
        current_key_ring(),
        batch_size,
        action="keys.reindex",
        stopped=lambda exc: _(
            "Re-indexing stopped, nothing of the failing batch was written: %(error)s", error=exc
        ),
        done_line=lambda table, count: _(
            "%(table)s: %(num)d rows re-indexed", table=table, num=count
        ),
    )


def _walk_declared_tables(walk, ring, batch_size: int, *, action, stopped, done_line) -> None:
    """Run a locked-batch walk over the declared tables, audit it, and say what it did."""
    try:
        done = walk(ring, batch_size=batch_size)
    except rotation.RotationError as exc:
        db.session.rollback()
        raise click.ClickException(stopped(exc)) from None
    record(
        action,
        actor=None,
        subject_type="keys",
        subject_id=ring.current_id,
        # Table names only: the audit guard would take a count of 8+ digits for a number.
        details={"tables": sorted(table for table, count in done.items() if count)},
    )
    db.session.commit()
    for table, count in done.items():
        click.echo(done_line(table, count))


@keys_group.command("retire")
@click.argument("key_id")
def retire_command(key_id: str) -> None:
    """Remove an old key from the key file, if nothing is left under it."""
    if _from_environment():
        raise click.ClickException(
            _("The keys come from %(var)s: remove the key there.", var=KEYS_ENV_VAR)
        )
    left = {table: n for table, n in rotation.left_under(key_id).items() if n}
    if left:
        listing = ", ".join(f"{table}: {n}" for table, n in left.items())
        raise click.ClickException(
            _("Rows are still under this key (%(rows)s): run 'keys rotate' first.", rows=listing)
        )
    try:
        remove_key_from_file(key_file_path(current_app.instance_path), key_id)
    except KeyRingError as exc:
        raise click.ClickException(str(exc)) from None
    forget_key_ring()
    record("keys.retire", actor=None, subject_type="keys", subject_id=key_id)
    db.session.commit()
    click.echo(_("Key %(id)s removed from the key file.", id=key_id))
