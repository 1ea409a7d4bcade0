"""The site of bench/agent_workload.py and bench/shift_start.py: settings, campaign, agents.

Not a benchmark itself. Setup is not timed: a schema migrated with the real migrations,
the demo call scripts, one campaign with call orders, each with a ticket (real
encryption and blind indexes), and the agents' accounts with cheap Argon2 settings.
``sign_in_as_in_production`` then gives the accounts a password hash of the production
Argon2id parameters and an enrolled authenticator app (TOTP), for a shift start.
"""

from __future__ import annotations

import json
import os
import random
import signal
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time

REDIS_URL = "redis://127.0.0.1:6379/0"
PASSWORD = "bench agent password"  # noqa: S105 - throwaway accounts of the bench


def seeded(seed: int) -> random.Random:
    """A seeded generator (think times and offsets; not secrets)."""
    return random.Random(seed)  # noqa: S311


DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


@contextmanager
def throwaway_schema(prefix: str) -> Iterator[tuple[str, str, str]]:
    """A PostgreSQL schema and an instance folder for one run: (server URL, schema, folder).

    The schema is dropped afterwards whatever happens, a SIGTERM (``timeout``, ``kill``)
    included: schemas left behind by killed runs slow down every statement on the server
    (16 of them made the agents' statements about 15 % slower). ``TRACING_BENCH_POSTGRES_URL``
    chooses the server.
    """
    import psycopg

    url = os.environ.get("TRACING_BENCH_POSTGRES_URL", DEFAULT_URL)
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    previous = _exit_on_sigterm()
    try:
        with tempfile.TemporaryDirectory() as instance:
            yield url, schema, instance
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _exit_on_sigterm():
    """Make SIGTERM unwind the stack (so ``finally`` runs); return the previous handler."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def leave(signum, _frame):
        raise SystemExit(128 + signum)

    return signal.signal(signal.SIGTERM, leave)


@contextmanager
def throwaway_site(prefix: str) -> Iterator[tuple[dict[str, str], str]]:
    """:func:`throwaway_schema` as the site's settings: (settings, instance folder)."""
    with throwaway_schema(prefix) as (url, schema, instance):
        yield environment(url, schema, instance), instance


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


def sign_in_as_in_production(
    settings: dict[str, str], emails: list[str], argon2: dict[str, int]
) -> dict[str, str]:
    """Give the agents a password hash made with ``argon2`` and a TOTP factor; return secrets.

    One hash serves every account (its own salt, but the same for all): verifying it costs
    what verifying each agent's own would, and setup does not hash 2,000 times. The TOTP
    secrets are sealed under the served site's SECRET_KEY (``settings``), as enrolment
    would, and confirmed; recovery codes are left out (a sign-in does not read them).

    :param argon2: ``time_cost``, ``memory_cost`` (KiB) and ``parallelism``.
    :return: the base32 TOTP secret of each e-mail address (the agents' authenticator apps).
    """
    os.environ.update(settings)
    from argon2 import PasswordHasher
    from sqlalchemy import select, update

    from content.auth.models import User, utcnow
    from content.auth.second_factor import sealing, totp
    from content.auth.second_factor.models import TOTP, SecondFactor
    from content.extensions import db
    from tracing_app import create_app

    stored = PasswordHasher(**argon2).hash(PASSWORD)
    app = create_app()
    secrets = {}
    with app.app_context():
        db.session.execute(update(User).where(User.email.in_(emails)).values(password_hash=stored))
        users = db.session.execute(select(User.id, User.email).where(User.email.in_(emails)))
        for user_id, email in users:
            secret = totp.new_secret()
            secrets[email] = secret
            db.session.add(
                SecondFactor(
                    user_id=user_id,
                    kind=TOTP,
                    label="TOTP",
                    sealed_secret=sealing.seal(secret.encode(), user_id=user_id),
                    confirmed_dt=utcnow(),
                )
            )
        db.session.commit()
        db.engine.dispose()
    return secrets
