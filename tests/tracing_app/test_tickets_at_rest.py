"""Encryption at rest: seeded personal data is nowhere in the database's bytes.

Seeded: tickets, their blind indexes, an escalation (note and answer), a script form
whose answers name people, lookups and audit entries.

The SQLite half reads the raw database file (and its write-ahead log); the PostgreSQL half
reads a ``pg_dump`` of the test schema (or ``COPY … TO STDOUT`` of every table when
``pg_dump`` is missing).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text

from content.extensions import db
from tests.fixtures.database import postgres_url
from tests.fixtures.tickets import SAMPLE_PERSON
from tracing_app.tickets import escalations, operations
from tracing_app.tickets.lookup import lookup

pytestmark = pytest.mark.db

NOTE = "Hoest en koorts sinds de verjaardag van haar dochter Mirthe"
ANSWER = "Quarantaine tot 12 december, test op dag 7 bij dokter Claes"
#: Values of 5+ characters: a shorter one could turn up by chance in base64 or binary data.
SEARCHED = [
    SAMPLE_PERSON["first_name"],
    SAMPLE_PERSON["last_name"],
    "85073003328",
    "85.07.30-033.28",
    "470123456",
    "470 12 34 56",
    "griet.vanderhaeghen",
    "Kouter 17",
    "9000 Gent",
    "Zwanger",
    "Zonnebloem",
    "1985-07-30",
    "Mirthe",
    "dokter Claes",
    "Jozefien",
]


SEED_SCRIPT = (
    Path(__file__).parents[2] / "tracing_app" / "seed" / "scripts" / "inbound_callback.csv"
)
SCRIPT_ANSWER = "Gezin: partner Jozefien Vanderhaeghen, dochter Mirthe, tel 0470 12 34 56"


def _script_form(agent, ticket):
    """A script form of the ticket whose answers name people (stored like any answer)."""
    from tracing_app.scripts import operations as scripts

    version = scripts.upload_version(SEED_SCRIPT.read_bytes(), SEED_SCRIPT.name, actor=agent)
    scripts.publish(version)
    form = scripts.start_form(version, agent=agent, language="nl")
    scripts.store_answers(form, {"notes": SCRIPT_ANSWER, "last_name": "Vanderhaeghen"})
    operations.link_script_response(ticket, form.id, actor=agent)
    return form


def _seed(make_ticket, create_user):
    agent = create_user(roles=["agent"])
    specialist = create_user(roles=["specialist"])
    ticket = make_ticket(actor=agent)
    make_ticket(actor=agent, first_name="Mirthe", phone=None, national_number=None)
    lookup("national_number", "85073003328", actor=agent, reason="inbound callback")
    lookup("name_birth_date", ("Vanderhaeghen", "1985-07-30"), actor=agent, reason="callback")
    operations.person_data(ticket, actor=agent, reason="lookup")
    escalation = escalations.escalate(ticket, NOTE, actor=agent)
    form = _script_form(agent, ticket)
    db.session.commit()
    from tracing_app.scripts import operations as scripts

    assert scripts.answers(form)["notes"] == SCRIPT_ANSWER  # stored, and readable
    escalations.answer(escalation, ANSWER, specialist=specialist)
    db.session.commit()


def _sqlite_bytes() -> bytes:
    db.session.execute(text("PRAGMA wal_checkpoint(FULL)"))
    path = Path(db.engine.url.database)
    data = path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    return data + (wal.read_bytes() if wal.exists() else b"")


def _postgres_bytes() -> bytes:
    schema = db.session.execute(text("SELECT current_schema()")).scalar_one()
    if shutil.which("pg_dump"):
        result = subprocess.run(
            ["pg_dump", "--no-owner", "--schema", schema, postgres_url(driver=False)],
            capture_output=True,
            check=True,
            timeout=120,
        )
        return result.stdout
    raw = db.session.connection().connection.dbapi_connection
    chunks = []
    with raw.cursor() as cursor:
        for table in db.metadata.sorted_tables:
            with cursor.copy(f'COPY "{schema}"."{table.name}" TO STDOUT') as copy:
                chunks.extend(bytes(chunk) for chunk in copy)
    return b"".join(chunks)


def _vacuum_sqlite() -> None:
    """Rewrite the database file without its free pages.

    Other tests of the session (one deliberately stores plain values) leave the bytes of
    their deleted rows in free pages.
    """
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM")
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def test_personal_data_is_nowhere_in_the_stored_bytes(backend, make_ticket, create_user):
    if backend == "sqlite":
        _vacuum_sqlite()
    _seed(make_ticket, create_user)
    db.session.commit()
    dump = _sqlite_bytes() if backend == "sqlite" else _postgres_bytes()
    assert b"tickets" in dump  # the dump is of the right database
    assert b"ticket_escalations" in dump or backend == "sqlite"
    lowered = dump.lower()
    found = [value for value in SEARCHED if value.lower().encode() in lowered]
    assert found == []


def test_the_search_would_find_plain_values(backend, app):
    """The check above can fail: a value stored in clear is found by the same search."""
    db.session.execute(text("CREATE TABLE plain_probe (value TEXT)"))
    db.session.execute(text("INSERT INTO plain_probe VALUES ('Vanderhaeghen')"))
    db.session.commit()
    try:
        dump = _sqlite_bytes() if backend == "sqlite" else _postgres_bytes()
        assert b"vanderhaeghen" in dump.lower()
    finally:
        db.session.rollback()
        db.session.execute(text("DROP TABLE plain_probe"))
        db.session.commit()
