"""The site of bench/agent_workload.py: its settings, and the seeded campaign and agents.

Not a benchmark itself. Setup is not timed: a schema migrated with the real migrations,
the demo call scripts, one campaign with call orders, each with a ticket (real
encryption and blind indexes), and the agents' accounts with cheap Argon2 settings.
"""

from __future__ import annotations

import json
import os
import random
import uuid
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time

REDIS_URL = "redis://127.0.0.1:6379/0"
PASSWORD = "bench agent password"  # noqa: S105 - throwaway accounts of the bench


def seeded(seed: int) -> random.Random:
    """A seeded generator (think times and offsets; not secrets)."""
    return random.Random(seed)  # noqa: S311


def environment(url: str, schema: str, instance: str) -> dict[str, str]:
    """The settings of the served site (and of the setup), as environment variables."""
    engine_options = {
        "connect_args": {"options": f"-csearch_path={schema}"},
        "pool_size": 10,
        "max_overflow": 10,
    }
    return {
        "DATABASE_URL": url.replace("postgresql://", "postgresql+psycopg://", 1),
        "TRACING_INSTANCE_PATH": instance,
        "TRACING_SECRET_KEY": uuid.uuid4().hex,
        "TRACING_SQLALCHEMY_ENGINE_OPTIONS": json.dumps(engine_options),
        # Plain http on 127.0.0.1: the client must get the session cookie back.
        "TRACING_SESSION_COOKIE_SECURE": "false",
        "TRACING_ARGON2_TIME_COST": "1",
        "TRACING_ARGON2_MEMORY_COST_KIB": "1024",
        "TRACING_ARGON2_PARALLELISM": "1",
        # The workload measures calls and tickets; the second factor is one step at sign-in
        # (its cost is in bench/login_latency.py), so the bench agents sign in without it.
        "TRACING_SECOND_FACTOR_REQUIRED_ROLES": "[]",
        # Login failures in Redis, as several hosts must share them (the same in both
        # topologies, so they differ only in how requests reach the hosts).
        "TRACING_REDIS_URL": os.environ.get("TRACING_BENCH_REDIS_URL", REDIS_URL),
    }


def seed(settings: dict[str, str], agents: int, orders: int) -> list[str]:
    """Migrate, install the demo scripts, a campaign with ``orders`` calls; return e-mails."""
    os.environ.update(settings)
    from flask_migrate import upgrade
    from sqlalchemy import select

    from content.extensions import db
    from content.users.operations import create_user
    from tracing_app import create_app
    from tracing_app.calls import operations as calls
    from tracing_app.calls.models import Campaign
    from tracing_app.protection.audit_key import generate_audit_key_file
    from tracing_app.protection.audit_key import key_file_path as audit_key_path
    from tracing_app.protection.keyfile import generate_key_file, key_file_path
    from tracing_app.scripts.models import Script
    from tracing_app.seed.scripts import install_demo_scripts
    from tracing_app.tickets.operations import PersonData, create_ticket

    generate_key_file(key_file_path(settings["TRACING_INSTANCE_PATH"]))
    generate_audit_key_file(audit_key_path(settings["TRACING_INSTANCE_PATH"]))
    app = create_app()
    emails = [f"agent{i:04d}@bench.example.org" for i in range(agents)]
    with app.app_context():
        upgrade(revision="heads")
        install_demo_scripts()
        script = db.session.scalar(select(Script).where(Script.form_id == "outbound_case"))
        campaign = Campaign(
            name="Bench",
            script_id=script.id,
            calling_start=clock_time(0, 0),
            calling_end=clock_time(23, 59, 59),
        )
        db.session.add(campaign)
        db.session.commit()
        due = datetime.now(UTC) - timedelta(minutes=5)
        rng = seeded(6)
        for i in range(orders):
            ticket = create_ticket(
                PersonData(
                    first_name=rng.choice(["An", "Bart", "Griet", "Jan", "Marie"]),
                    last_name=rng.choice(["Peeters", "Janssens", "Dupont", "Maes"]),
                    phone=f"+3247{i:07d}",
                    language="nl",
                ),
                actor=None,
                source="bench",
            )
            order = calls.enqueue(campaign, due_dt=due, external_id=f"bench-{i}")
            order.ticket_id = ticket.id
            if i % 500 == 499:
                db.session.commit()
        for email in emails:
            create_user(email, PASSWORD, roles=["agent"], locale="en", display_name=email)
        db.session.commit()
        db.engine.dispose()
    return emails
