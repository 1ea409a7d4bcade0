"""Alembic environment: runs inside the app, on its engine and its models' metadata."""

from alembic import context
from flask import current_app

from content.db_types import UTCDateTime

# The search index's FTS5 table (SQLite) and tsvector column (PostgreSQL) exist on one
# database only; migration 3f1a5e0c7b21 makes them, autogenerate must not drop them.
from content.search.models import include_name

config = context.config
migrate_ext = current_app.extensions["migrate"]
target_metadata = migrate_ext.db.metadata


def render_item(type_, obj, autogen_context):
    """Write app column types as plain SQLAlchemy types, so migrations stand alone."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def skip_empty_revision(context_, revision, directives):
    """Create no file when autogenerate finds nothing to change."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []


def run_migrations_offline() -> None:
    """Emit SQL for the configured database without connecting."""
    context.configure(
        url=migrate_ext.db.engine.url.render_as_string(hide_password=False),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        render_item=render_item,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Apply migrations over a connection of the app's engine."""
    with migrate_ext.db.engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_item=render_item,
            include_name=include_name,
            process_revision_directives=skip_empty_revision,
            # Flask-Migrate's defaults: compare_type, and render_as_batch because SQLite
            # cannot ALTER most things (batch mode rebuilds the table there).
            **migrate_ext.configure_args,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
