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
        # Every role that can open personal data signs in with a second factor
        # (docs/second-factor.md); the demo site writes [] to its instance config.
        "SECOND_FACTOR_REQUIRED_ROLES": ["agent", "specialist", "supervisor", "admin"],
        "API_RATE_LIMIT_PER_MINUTE": 120,
        # Call-order imports (CSV/JSON, CLI, web and API): bytes and records per file.
        "IMPORT_MAX_BYTES": 10 * 1024 * 1024,
        "IMPORT_MAX_ROWS": 50_000,
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
        # Days kept after a ticket's closure, per kind (docs/retention.md); missing kinds
        # take the defaults of tracing_app/retention/policy.py, None keeps a kind.
        "RETENTION_DAYS": {},
        # Practice calls a certification opening the workspace needs, each a different
        # scenario (docs/practice-calls.md); no more than the scenarios installed.
        "PRACTICE_CALLS_REQUIRED": 2,
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
        "tickets.legal_hold": {"supervisor"},
        "tickets.subject_access": {"supervisor"},
        "documents.issue": {"agent", "supervisor", "specialist"},
        "exchange.manage": {"admin"},
        "exchange.read_dictionary": {"admin", "supervisor", "editor"},
        "practice.work": {"agent"},
        "practice.review": {"trainer", "admin"},
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
    if user.can("practice.work"):
        panels.append(
            DashboardPanel(
                _("Practice calls"),
                items=[_("Practise on the real call script with fictitious citizens.")],
                links=[PanelLink(_("Practice calls"), "practice.list_scenarios")],
                order=290,
            )
        )
    if user.can("practice.review"):
        panels.append(
            DashboardPanel(
                _("Practice results"),
                items=[_("See the learners' practice calls, per learner and per scenario.")],
                links=[PanelLink(_("Practice results"), "practice.list_results")],
                order=115,
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
    from tracing_app.audit import accounts as account_audit
    from tracing_app.audit import models as audit_models  # noqa: F401 - tables for migrations
    from tracing_app.calls import blueprint as calls
    from tracing_app.calls import models as call_models  # noqa: F401 - tables for migrations
    from tracing_app.documents import blueprint as documents
    from tracing_app.exchange import blueprint as exchange
    from tracing_app.exchange import changes  # noqa: F401 - the feed's table for migrations
    from tracing_app.practice import blueprint as practice
    from tracing_app.retention import blueprint as retention
    from tracing_app.scripts import models  # noqa: F401 - the tables are known to migrations
    from tracing_app.scripts.blueprint import assets, bp
    from tracing_app.subject_access import blueprint as subject_access
    from tracing_app.telephony import api_views as telephony_api  # noqa: F401 - API views
    from tracing_app.telephony import blueprint as telephony
    from tracing_app.tickets import blueprint as tickets
    from tracing_app.tickets import models as ticket_models  # noqa: F401 - tables for migrations

    account_audit.connect(app)
    return [
        bp, assets, exchange.bp, exchange.api_bp, documents.bp, calls.bp, tickets.bp,
        calls.assets, telephony.bp, retention.bp, subject_access.bp, practice.bp,
    ]  # fmt: skip


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
    from tracing_app.retention.cli import retention_group
    from tracing_app.scripts.cli import scripts_group

    cli.add_command(scripts_group)
    cli.add_command(audit_group)
    cli.add_command(keys_group)
    cli.add_command(exchange_group)
    cli.add_command(calls_group)
    cli.add_command(retention_group)


#: Menu entries of the workspace: (permission, label, endpoint, order).
NAVIGATION = [
    ("practice.work", _l("Practice calls"), "practice.list_scenarios", 290),
    ("scripts.fill", _l("Calls"), "scripts.list_forms", 300),
    ("tickets.lookup", _l("Find a ticket"), "tickets.lookup_tickets", 302),
    ("calls.work", _l("Call lists"), "calls.agent_home", 305),
    ("calls.supervise", _l("Call dashboard"), "calls.dashboard", 306),
    ("scripts.edit", _l("Call scripts"), "scripts.list_scripts", 310),
    ("tickets.escalations", _l("Escalations"), "tickets.list_escalations", 320),
    ("exchange.read_dictionary", _l("Data dictionary"), "exchange.show_dictionary", 380),
    ("exchange.manage", _l("API clients"), "exchange.list_clients", 390),
    ("tickets.audit", _l("Audit log"), "tickets.read_audit_log", 395),
    ("practice.review", _l("Practice results"), "practice.list_results", 115),
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
    the workspace can be tried at once; the French agent follows the training and passes
    ``PRACTICE_CALLS_REQUIRED`` practice calls (the scenarios installed here) first.
    """
    from lms.seed.install import exempt_demo_accounts
    from tracing_app.calls.demo import install_demo_campaigns
    from tracing_app.practice.scenarios import install_scenarios
    from tracing_app.seed.scripts import install_demo_scripts

    return [
        *install_demo_scripts(),
        *install_demo_campaigns(),
        *install_scenarios(),
        ensure_demo_user("supervisor@example.org", "Sam Supervisor", ["supervisor"], "fr"),
        ensure_demo_user("specialist@example.org", "Dr. Senne Specialist", ["specialist"], "de"),
        ensure_demo_user("agent@example.org", "An Agent", ["agent"], "nl"),
        ensure_demo_user("agent-fr@example.org", "Amélie Agent", ["agent"], "fr"),
        *exempt_demo_accounts(
            ["agent@example.org", "supervisor@example.org", "specialist@example.org"]
        ),
    ]


@hookimpl
def tracing_jobs(app):
    """The audit log's nightly check and checkpoints, and the nightly retention purge."""
    from datetime import timedelta

    from content.jobs import Job
    from tracing_app.audit.jobs import checkpoint_audit_log, verify_audit_chain
    from tracing_app.retention.jobs import purge_expired

    return [
        Job("audit.verify_chain", _l("Verify the audit log's hash chain"), timedelta(days=1),
            verify_audit_chain),
        Job("audit.checkpoint", _l("Anchor the audit log outside the database"),
            timedelta(minutes=5), checkpoint_audit_log),
        Job("retention.purge", _l("Erase personal data past its retention period"),
            timedelta(days=1), purge_expired),
    ]  # fmt: skip


@hookimpl
def tracing_backup_items(app):
    """The keys of personal data: never in a backup, always kept apart from it."""
    from content.backup import BackupItem

    instance = Path(app.instance_path)
    # File names of protection/keyfile.py, protection/audit_key.py and exchange/pseudonyms.py;
    # keys may come from TRACING_DATA_KEYS / TRACING_AUDIT_KEY instead: then keep those.
    return [
        BackupItem("data-keys", instance / "keys.json",
                   _l("Data keys of the tickets' personal data (or TRACING_DATA_KEYS)"),
                   included=False),
        BackupItem("pseudonym-key", instance / "pseudonym.key",
                   _l("Pseudonym key of the exports"), included=False),
        BackupItem("audit-key", instance / "audit.key",
                   _l("Audit key of the audit log's chain (or TRACING_AUDIT_KEY)"),
                   included=False),
    ]  # fmt: skip


@hookimpl
def tracing_metrics(app):
    """Call orders by state (the queues) and escalations waiting for a specialist."""
    from prometheus_client.core import GaugeMetricFamily
    from sqlalchemy import func, select

    from content.extensions import db
    from tracing_app.calls.models import ORDER_STATES, CallOrder
    from tracing_app.tickets.models import ESCALATION_OPEN, TicketEscalation

    orders = GaugeMetricFamily(
        "tracing_call_orders", "Call orders by state (queued: the queue).", labels=["state"]
    )
    counts = dict(
        db.session.execute(select(CallOrder.state, func.count()).group_by(CallOrder.state)).all()
    )
    for state in ORDER_STATES:
        orders.add_metric([state], counts.get(state, 0))
    waiting = db.session.scalar(
        select(func.count()).where(TicketEscalation.state == ESCALATION_OPEN)
    )
    escalations = GaugeMetricFamily(
        "tracing_escalations_open", "Escalated tickets waiting for a specialist.", value=waiting
    )
    return [orders, escalations]


@hookimpl
def tracing_certification_missing(user, certification):
    """Certifications opening the workspace also need passed practice calls."""
    from tracing_app.practice.operations import missing_for

    return missing_for(user, certification)
