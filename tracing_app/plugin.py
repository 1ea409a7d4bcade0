"""Hooks of the call-centre workspace."""

from __future__ import annotations

import os
from pathlib import Path

from content.auth.roles import Role
from content.core.panels import DashboardPanel, NavItem, PanelLink
from content.demo import ensure_demo_user
from content.hookspecs import hookimpl
from content.i18n import _, _l


@hookimpl
def tracing_config_defaults():
    """Settings of the workspace (see docs/configuration.md)."""
    return {
        "API_RATE_LIMIT_PER_MINUTE": 120,
        # What exports send of tickets and answers (docs/exchange.md): the minimum.
        "EXCHANGE_TICKET_FIELDS": {"national_number": "pseudonym"},
        "EXCHANGE_ANSWER_FIELDS": {},
        # Audit checkpoints outside the database (docs/audit-log.md): the file (None:
        # <instance>/audit-checkpoints.jsonl) and the most minutes between two (0: only
        # 'tracing-app audit checkpoint' or a job writes them).
        "AUDIT_CHECKPOINT_FILE": None,
        "AUDIT_CHECKPOINT_MINUTES": 5,
        # The audit screen's "unusual activity" (docs/audit-log.md): more than this many
        # lookups or claims of calls by one account within one hour, in the last hours.
        "AUDIT_UNUSUAL_LOOKUPS_PER_HOUR": 20,
        "AUDIT_UNUSUAL_CLAIMS_PER_HOUR": 40,
        "AUDIT_UNUSUAL_WINDOW_HOURS": 24,
        # Telephony (docs/telephony.md): the click-to-dial URL template (None: tel: links),
        # the region of national numbers, and the longest after-call work in minutes.
        "TELEPHONY_DIALER_URL": None,
        "TELEPHONY_DEFAULT_REGION": "BE",
        "CALLS_WRAP_UP_MINUTES": 3,
        "TELEPHONY_INBOUND_CAMPAIGN": "Inbound calls",
        "TELEPHONY_SERVICE_LEVEL_SECONDS": 20,
        # The live wallboard: how often a stream looks for changes (PostgreSQL wakes it
        # at once), how long a stream lives, and the no-JavaScript page's reload.
        "WALLBOARD_POLL_SECONDS": 1.0,
        "WALLBOARD_MIN_INTERVAL_SECONDS": 0.5,
        "WALLBOARD_STREAM_SECONDS": 300,
        "WALLBOARD_REFRESH_SECONDS": 15,
    }


@hookimpl
def tracing_roles():
    """Roles of the call centre."""
    return [
        Role(
            "supervisor", _l("Supervisor"), _l("Leads a team of agents and follows the call lists.")
        ),
        Role("specialist", _l("Specialist"), _l("Answers escalated tickets (doctor, nurse).")),
        Role("agent", _l("Agent"), _l("Calls citizens and fills in the call script.")),
    ]


@hookimpl
def tracing_permissions():
    """Permissions of the workspace."""
    return {
        "scripts.edit": {"editor", "admin"},
        "scripts.fill": {"agent"},
        "calls.work": {"agent", "supervisor"},
        "calls.supervise": {"supervisor", "admin"},
        "tickets.escalations": {"specialist"},
        "tickets.view": {"agent", "supervisor", "specialist", "admin"},
        "tickets.lookup": {"agent", "supervisor"},
        "tickets.audit": {"supervisor", "admin"},
        "documents.issue": {"agent", "supervisor", "specialist"},
        "exchange.manage": {"admin"},
        "exchange.read_dictionary": {"admin", "supervisor", "editor"},
    }


@hookimpl
def tracing_dashboard_panels(user):
    """What agents, supervisors and specialists do in the workspace."""
    panels = []
    if user.can("calls.work"):
        panels.append(
            DashboardPanel(
                _("Call workspace"),
                items=[_("Take the next call, follow the call script and fill in the form.")],
                links=[PanelLink(_("Next call"), "calls.agent_home")]
                + (
                    [PanelLink(_("Calls"), "scripts.list_forms")]
                    if user.can("scripts.fill")
                    else []
                ),
                order=300,
            )
        )
    if user.can("calls.supervise"):
        panels.append(
            DashboardPanel(
                _("Supervision"),
                items=[_("Follow the call lists, the calls not reached and your team.")],
                links=[
                    PanelLink(_("Call dashboard"), "calls.dashboard"),
                    PanelLink(_("Wallboard"), "calls.wallboard"),
                    PanelLink(_("Campaigns"), "calls.list_campaigns"),
                    PanelLink(_("Not reached"), "calls.not_reached"),
                ],
                order=310,
            )
        )
    if user.can("scripts.edit"):
        panels.append(
            DashboardPanel(
                _("Call scripts"),
                items=[
                    _("Upload call scripts (XLSForm), preview them in every language, publish.")
                ],
                links=[PanelLink(_("Call scripts"), "scripts.list_scripts")],
                order=330,
            )
        )
    if user.can("tickets.escalations"):
        panels.append(
            DashboardPanel(
                _("Escalations"),
                items=[_("Answer the tickets that agents escalate to you.")],
                links=[PanelLink(_("Escalations"), "tickets.list_escalations")],
                order=320,
            )
        )
    return panels


@hookimpl
def tracing_blueprints(app):
    """Call scripts (editors) and the agent's form."""
    from tracing_app.audit import models as audit_models  # noqa: F401 - tables for migrations
    from tracing_app.calls import blueprint as calls
    from tracing_app.calls import models as call_models  # noqa: F401 - tables for migrations
    from tracing_app.documents import blueprint as documents
    from tracing_app.exchange import blueprint as exchange
    from tracing_app.exchange import changes
    from tracing_app.scripts import models  # noqa: F401 - the tables are known to migrations
    from tracing_app.scripts.blueprint import assets, bp
    from tracing_app.telephony import api_views as telephony_api  # noqa: F401 - API views
    from tracing_app.telephony import blueprint as telephony
    from tracing_app.tickets import blueprint as tickets
    from tracing_app.tickets import models as ticket_models  # noqa: F401 - tables for migrations

    changes.install()
    return [
        bp,
        assets,
        exchange.bp,
        exchange.api_bp,
        documents.bp,
        calls.bp,
        calls.assets,
        telephony.bp,
        tickets.bp,
    ]


@hookimpl
def tracing_migration_directories():
    """The workspace's migrations: a branch of its own on top of the core's."""
    return [str(Path(__file__).parent / "migrations" / "versions")]


@hookimpl
def tracing_cli_commands(cli):
    """``scripts check`` and ``scripts eval``."""
    from tracing_app.audit.cli import audit_group
    from tracing_app.calls.cli import calls_group
    from tracing_app.exchange.cli import exchange_group
    from tracing_app.protection.cli import keys_group
    from tracing_app.scripts.cli import scripts_group

    cli.add_command(scripts_group)
    cli.add_command(audit_group)
    cli.add_command(keys_group)
    cli.add_command(exchange_group)
    cli.add_command(calls_group)


#: Menu entries of the workspace: (permission, label, endpoint, order).
NAVIGATION = [
    ("scripts.fill", _l("Calls"), "scripts.list_forms", 300),
    ("tickets.lookup", _l("Find a ticket"), "tickets.lookup_tickets", 302),
    ("calls.work", _l("Call lists"), "calls.agent_home", 305),
    ("calls.supervise", _l("Call dashboard"), "calls.dashboard", 306),
    ("scripts.edit", _l("Call scripts"), "scripts.list_scripts", 310),
    ("tickets.escalations", _l("Escalations"), "tickets.list_escalations", 320),
    ("exchange.read_dictionary", _l("Data dictionary"), "exchange.show_dictionary", 380),
    ("exchange.manage", _l("API clients"), "exchange.list_clients", 390),
    ("tickets.audit", _l("Audit log"), "tickets.read_audit_log", 395),
]


@hookimpl
def tracing_navigation_items(user):
    """The workspace's menu entries this user may use."""
    return [
        NavItem(label, endpoint, order=order)
        for permission, label, endpoint, order in NAVIGATION
        if user.can(permission)
    ]


@hookimpl
def tracing_init(app):
    """The data key file, the audit key and the export pseudonym key, unless they exist."""
    from tracing_app.exchange import pseudonyms
    from tracing_app.protection import audit_key
    from tracing_app.protection.keyfile import KEYS_ENV_VAR, generate_key_file, key_file_path
    from tracing_app.protection.keyring import forget_key_ring

    lines = []
    if not os.environ.get(KEYS_ENV_VAR):
        path = key_file_path(app.instance_path)
        if generate_key_file(path) is not None:
            forget_key_ring(app)
            lines.append(
                _(
                    "Wrote a new data key file %(path)s: back it up apart from the database.",
                    path=path,
                )
            )
    if not os.environ.get(audit_key.ENV_VAR):
        path = audit_key.key_file_path(app.instance_path)
        if audit_key.generate_audit_key_file(path):
            audit_key.forget_audit_key(app)
            lines.append(
                _(
                    "Wrote a new audit key %(path)s: copy it to every app host and back it "
                    "up apart from the database.",
                    path=path,
                )
            )
    if not os.environ.get(pseudonyms.ENVIRONMENT_VARIABLE) and pseudonyms.ensure_key_file(
        app.instance_path
    ):
        lines.append(_("Wrote a new pseudonym key %(path)s: copy it to every app host.",
                       path=os.path.join(app.instance_path, pseudonyms.FILE_NAME)))  # fmt: skip
    return lines


@hookimpl
def tracing_demo_data(app):
    """Supervisor, specialist and agents in Dutch and French; the three demo call scripts.

    The LMS's demo certification closes the workspace to agents without a certificate:
    the Dutch demo agent, the supervisor and the specialist get a recorded exemption so
    the workspace can be tried at once; the French agent follows the training first.
    """
    from lms.seed.install import exempt_demo_accounts
    from tracing_app.calls.demo import install_demo_campaigns
    from tracing_app.seed.scripts import install_demo_scripts

    return [
        *install_demo_scripts(),
        *install_demo_campaigns(),
        ensure_demo_user("supervisor@example.org", "Sam Supervisor", ["supervisor"], "fr"),
        ensure_demo_user("specialist@example.org", "Dr. Senne Specialist", ["specialist"], "de"),
        ensure_demo_user("agent@example.org", "An Agent", ["agent"], "nl"),
        ensure_demo_user("agent-fr@example.org", "Amélie Agent", ["agent"], "fr"),
        *exempt_demo_accounts(
            ["agent@example.org", "supervisor@example.org", "specialist@example.org"]
        ),
    ]
