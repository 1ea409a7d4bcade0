"""The plugin API: what a plugin can contribute to the site.

Every hook is documented in docs/plugins.md; a test fails when one is not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from flask import Blueprint, Flask
    from flask.cli import AppGroup

    from content.auth.roles import Role
    from content.backup import BackupItem
    from content.core.panels import DashboardPanel, NavItem
    from content.items.types import ContentType
    from content.jobs.declaration import Job
    from content.multilingual.operations import TranslationRow

PROJECT = "tracing"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def tracing_config_defaults() -> Mapping[str, Any]:
    """Return default settings of the plugin; site settings override them."""


@hookspec
def tracing_roles() -> list[Role]:
    """Return the roles the plugin adds (name, label, description)."""


@hookspec
def tracing_permissions() -> Mapping[str, set[str]]:
    """Return the plugin's named permissions, each mapped to the role names that hold it."""


@hookspec
def tracing_content_types() -> list[ContentType]:
    """Return the content types the plugin adds (folder, page, lesson, quiz…)."""


@hookspec
def tracing_blueprints(app: Flask) -> list[Blueprint]:
    """Return the blueprints to register; a url_prefix starting with /<lang_code> is localized."""


@hookspec
def tracing_cli_commands(cli: AppGroup) -> None:
    """Add click commands or groups to the ``tracing-app`` command."""


@hookspec
def tracing_migration_directories() -> list[str]:
    """Return Alembic version directories holding the plugin's migrations."""


@hookspec
def tracing_navigation_items(user: Any) -> list[NavItem]:
    """Return main-menu entries for this user (already filtered by permission).

    The menu may depend on the user's roles only: it is made once per set of roles.
    """


@hookspec
def tracing_dashboard_panels(user: Any) -> list[DashboardPanel]:
    """Return dashboard panels describing what this user can do with the plugin."""


@hookspec
def tracing_access_denied(user: Any, gate: str) -> str | None:
    """Return why ``user`` may not pass ``gate`` (e.g. "workspace"), or None to let them."""


@hookspec
def tracing_certification_missing(user: Any, certification: Any) -> str | None:
    """Return what ``user`` still lacks for ``certification`` beyond modules and exam, or None."""


@hookspec
def tracing_translation_rows(user: Any) -> list[TranslationRow]:
    """Return translation-overview rows for translatable things that are not content items."""


@hookspec
def tracing_init(app: Flask) -> list[str]:
    """Prepare what the plugin needs at ``tracing-app init`` (keys…); return lines to print."""


@hookspec
def tracing_demo_data(app: Flask) -> list[str]:
    """Create the plugin's demo content for ``init --demo``; return lines to print."""


@hookspec
def tracing_jobs(app: Flask) -> list[Job]:
    """Return the plugin's periodic jobs (name, label, period, function); see content/jobs."""


@hookspec
def tracing_backup_items(app: Flask) -> list[BackupItem]:
    """Return the plugin's files a backup copies, and the secrets it must say to keep apart."""


@hookspec
def tracing_metrics(app: Flask) -> list[Any]:
    """Return Prometheus metric families read from the database when /metrics is scraped."""
