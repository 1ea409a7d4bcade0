"""The CMS core registers itself through the same hooks as every other plugin."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from content.auth.roles import Role
from content.core.panels import DashboardPanel, NavItem, PanelLink
from content.hookspecs import hookimpl
from content.i18n import _, _l
from content.items.types import ContentType


@hookimpl
def tracing_roles():
    """Roles of the CMS: administration, writing and reviewing content."""
    return [
        Role("admin", _l("Administrator"), _l("Manages accounts, roles and the site's settings.")),
        Role("editor", _l("Editor"), _l("Writes pages and training material.")),
        Role("reviewer", _l("Reviewer"), _l("Reviews and publishes what editors submit.")),
    ]


@hookimpl
def tracing_content_types():
    """Folders (sections of the site) and pages."""
    return [
        ContentType("folder", _l("Folder"), folderish=True, template="items/folder.html",
                    description=_l("A section that holds pages and other folders.")),
        ContentType("page", _l("Page"), description=_l("A page of text in Markdown.")),
    ]  # fmt: skip


@hookimpl
def tracing_permissions():
    """Permissions of the CMS core."""
    return {
        "users.manage": {"admin"},
        "content.edit": {"editor", "admin"},
        "content.review": {"reviewer", "admin"},
        # Seeing unpublished work (drafts, pending review) in pages, listings and search.
        "content.view_drafts": {"editor", "reviewer", "admin"},
        "jobs.monitor": {"admin"},
    }


@hookimpl
def tracing_blueprints(app):
    """The site frame, signing in, accounts, and the content features."""
    from content.auth.blueprint import bp as auth_bp
    from content.auth.second_factor.blueprint import assets as second_factor_assets
    from content.auth.second_factor.blueprint import bp as second_factor_bp
    from content.core.blueprint import bp as core_bp
    from content.core.blueprint import localized as site_bp
    from content.items.blueprint import bp as items_bp
    from content.jobs.blueprint import bp as jobs_bp
    from content.media.blueprint import bp as media_bp
    from content.multilingual.blueprint import bp as multilingual_bp
    from content.observability.blueprint import bp as observability_bp
    from content.revisions.blueprint import bp as revisions_bp
    from content.search.blueprint import bp as search_bp
    from content.users.blueprint import bp as users_bp
    from content.workflow.blueprint import bp as workflow_bp

    return [
        core_bp,
        site_bp,
        auth_bp,
        second_factor_bp,
        second_factor_assets,
        users_bp,
        items_bp,
        revisions_bp,
        workflow_bp,
        multilingual_bp,
        search_bp,
        media_bp,
        jobs_bp,
        observability_bp,
    ]


@hookimpl
def tracing_cli_commands(cli):
    """``init``, ``users``, ``translations``, ``content`` (export and import) and ``jobs``."""
    from content.backup.cli import backup_command, restore_command
    from content.cli import init_command, translations_group, users_group
    from content.jobs.cli import jobs_group
    from content.transfer.cli import content_group

    cli.add_command(init_command)
    cli.add_command(users_group)
    cli.add_command(translations_group)
    cli.add_command(content_group)
    cli.add_command(jobs_group)
    cli.add_command(backup_command)
    cli.add_command(restore_command)


@hookimpl
def tracing_backup_items(app):
    """Media files go into backups; the instance settings (with SECRET_KEY) stay apart."""
    from content.backup import BackupItem
    from content.config import INSTANCE_CONFIG_FILE
    from content.media.storage import media_directory

    with app.app_context():
        media = media_directory()
    return [
        BackupItem("media", media, _l("Media files (images and documents of pages)")),
        BackupItem("settings", Path(app.instance_path) / INSTANCE_CONFIG_FILE,
                   _l("Site settings with the SECRET_KEY"), included=False),
    ]  # fmt: skip


@hookimpl
def tracing_metrics(app):
    """Job runs by job and state, and each job's last success and failure (from job_runs)."""
    from content.jobs.metrics import job_metrics

    return job_metrics()


@hookimpl
def tracing_jobs(app):
    """Clean-up of login sessions, failed-login rows and old job-run records."""
    from content.auth.housekeeping import prune_login_failures, prune_sessions
    from content.jobs import Job
    from content.jobs.operations import prune_runs

    keep_days = app.config["JOB_RUNS_KEEP_DAYS"]
    return [
        Job("auth.prune_sessions", _l("Delete ended login sessions"), timedelta(hours=1),
            prune_sessions),
        Job("auth.prune_login_failures", _l("Delete failed-login records past the throttle window"),
            timedelta(minutes=15), prune_login_failures),
        Job("jobs.prune_runs", _l("Delete old records of job runs"), timedelta(days=1),
            lambda now: prune_runs(now=now, keep_days=keep_days)),
    ]  # fmt: skip


@hookimpl
def tracing_migration_directories():
    """The core's own migrations."""
    return [str(Path(__file__).parent / "migrations" / "versions")]


@hookimpl
def tracing_demo_data(app):
    """An administrator, an editor, a reviewer, and two pages in four languages."""
    from content.demo import ensure_demo_user
    from content.demo_content import install_demo_pages

    return [
        ensure_demo_user("admin@example.org", "Ada Admin", ["admin"], "en"),
        ensure_demo_user("editor@example.org", "Eva Editor", ["editor"], "nl"),
        ensure_demo_user("reviewer@example.org", "Rémi Reviewer", ["reviewer"], "fr"),
        *install_demo_pages(),
    ]


@hookimpl
def tracing_navigation_items(user):
    """Dashboard for everyone signed in; accounts for administrators."""
    items = [NavItem(_l("Dashboard"), "site.dashboard", order=0)]
    if user.can("content.view_drafts"):
        items.append(NavItem(_l("Content"), "items.manage_content", order=200))
    if user.can("users.manage"):
        items.append(NavItem(_l("Accounts"), "users.list_users", order=900))
    return items


@hookimpl
def tracing_dashboard_panels(user):
    """What the CMS roles can do."""
    panels = []
    if user.can("users.manage"):
        panels.append(
            DashboardPanel(
                _("Administration"),
                items=[_("Create accounts, give roles, reset passwords and deactivate accounts.")],
                links=[
                    PanelLink(_("Manage accounts"), "users.list_users"),
                    PanelLink(_("Periodic jobs"), "jobs.list_jobs"),
                ],
                order=900,
            )
        )
    if user.can("content.edit"):
        panels.append(
            DashboardPanel(
                _("Content"),
                items=[
                    _("Write pages and training material in Dutch, French, German and English.")
                ],
                links=[
                    PanelLink(_("My drafts and translations to do"), "items.manage_content"),
                    PanelLink(_("Translation overview"), "multilingual.translation_overview"),
                ],
                order=200,
            )
        )
    if user.can("content.review"):
        panels.append(
            DashboardPanel(
                _("Review"),
                items=[_("Review submitted pages and publish them.")],
                links=[PanelLink(_("Review queue"), "workflow.review_queue")],
                order=210,
            )
        )
    panels.append(
        DashboardPanel(
            _("Your account"),
            items=[_("Choose your language and change your password.")],
            links=[PanelLink(_("Account settings"), "auth.account")],
            order=1000,
        )
    )
    return panels
