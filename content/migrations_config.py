"""Where Alembic finds migrations: the core's folder plus each plugin's version folder."""

from __future__ import annotations

import os
from pathlib import Path

from flask import current_app

from content.extensions import migrate
from content.plugins import hook

MIGRATIONS_DIRECTORY = str(Path(__file__).parent / "migrations")


@migrate.configure
def add_plugin_version_locations(config):
    """Point Alembic at the version folders that the enabled plugins declare.

    A site without a plugin never sees that plugin's tables; each plugin's migrations
    form their own branch on top of the core's.
    """
    folders = [
        folder for found in hook(current_app).tracing_migration_directories() for folder in found
    ]
    config.set_main_option("version_locations", os.pathsep.join(folders))
    return config
