"""Backups taken while the site runs, restored into an empty instance: nothing lost."""

from __future__ import annotations

import io
import json
import shutil
import uuid

import pytest
from PIL import Image
from sqlalchemy import func, select

from content.extensions import db
from content.media.operations import add_media
from tests.fixtures.database import postgres_url
from tests.fixtures.settings import TEST_CONFIG
from tests.fixtures.tickets import SAMPLE_PERSON
from tests.fixtures.web import IsolatedClient
from tracing_app import create_app

pytestmark = pytest.mark.db


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (3, 2), "red").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def site(app, create_user, make_ticket, create_page, create_certification, certify):
    """A site with a ticket (and its audit entries), a certificate and a public image."""
    agent = create_user(roles=["agent"])
    ticket = make_ticket(actor=agent)
    certificate = certify(agent, create_certification())
    page = create_page(title="Poster")
    media = add_media(page, io.BytesIO(_png()), "poster.png", uploader=agent)
    db.session.commit()
    return {
        "agent_email": agent.email,
        "reference": ticket.reference,
        "certificate_code": certificate.code,
        "media_url": f"/media/{media.id}/poster.png",
        "instance": app.instance_path,
    }


@pytest.fixture
def empty_instance(app, backend, tmp_path):
    """Return a function building a second site on an empty database and instance folder."""
    built = []
    database = f"restore_{uuid.uuid4().hex[:10]}"

    def build():
        config = {**TEST_CONFIG, "INSTANCE_PATH": str(tmp_path / "restored-instance")}
        if backend == "postgresql":
            _admin_sql(f'CREATE DATABASE "{database}"')
            config["SQLALCHEMY_DATABASE_URI"] = postgres_url().rsplit("/", 1)[0] + "/" + database
            # Same schema name as the source: the dump creates it.
            config["SQLALCHEMY_ENGINE_OPTIONS"] = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        target = create_app(config)
        target.test_client_class = IsolatedClient
        built.append(target)
        return target

    yield build
    for target in built:
        with target.app_context():
            db.engine.dispose()
    if backend == "postgresql" and built:
        _admin_sql(f'DROP DATABASE "{database}" WITH (FORCE)')


def _admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(postgres_url(driver=False), autocommit=True) as conn:
        conn.execute(sql)


def test_a_backup_restored_into_an_empty_instance_keeps_everything_working(
    app, site, runner, tmp_path, empty_instance
):
    from lms.certification.operations import certificate_by_code
    from tracing_app.audit.operations import verify_chain
    from tracing_app.protection import blind_index
    from tracing_app.tickets.lookup import lookup
    from tracing_app.tickets.models import Ticket
    from tracing_app.tickets.operations import decrypt_ticket

    backup_dir = tmp_path / "backup"
    result = runner.invoke(args=["backup", str(backup_dir)])
    assert result.exit_code == 0, result.output
    assert "Backup written to" in result.output
    # The keys are named, never copied.
    assert "keys.json" in result.output
    assert "pseudonym.key" in result.output
    copied = {p.name for p in backup_dir.rglob("*")}
    assert "keys.json" not in copied
    assert "pseudonym.key" not in copied
    assert "audit.key" not in copied
    assert "config.toml" not in copied
    assert "keys.json" in (backup_dir / "KEEP-SEPARATELY.txt").read_text()
    raw = b"".join(p.read_bytes() for p in backup_dir.rglob("*") if p.is_file())
    assert SAMPLE_PERSON["last_name"].encode() not in raw  # personal data stays encrypted

    target = empty_instance()
    # The operator copies the keys kept apart into the new instance folder.
    (tmp_path / "restored-instance").mkdir(exist_ok=True)
    for kept_apart in ("keys.json", "audit.key"):
        shutil.copy2(
            f"{site['instance']}/{kept_apart}", tmp_path / "restored-instance" / kept_apart
        )
    with target.app_context():  # the test holds the source's context: commands would use it
        restored = target.test_cli_runner().invoke(args=["restore", str(backup_dir)])
    assert restored.exit_code == 0, restored.output
    assert "Backup restored" in restored.output

    with target.app_context():
        ticket = db.session.scalar(select(Ticket).where(Ticket.reference == site["reference"]))
        assert decrypt_ticket(ticket).last_name == SAMPLE_PERSON["last_name"]
        from content.auth.models import User

        agent = db.session.scalar(select(User).where(User.email == site["agent_email"]))
        found = lookup(
            blind_index.NATIONAL_NUMBER, SAMPLE_PERSON["national_number"],
            actor=agent, reason="callback",
        )  # fmt: skip
        assert [t.reference for t in found] == [site["reference"]]
        db.session.commit()
        verified = verify_chain()
        assert verified.ok
        assert verified.checked >= 3  # create, then the lookup's search and access entries
        assert certificate_by_code(site["certificate_code"]) is not None
        db.session.remove()

    client = target.test_client()
    image = client.get(site["media_url"])
    assert image.status_code == 200
    assert image.data == _png()
    image.close()
    verify_page = client.get(f"/en/verify/{site['certificate_code']}")
    assert verify_page.status_code == 200


def test_restore_refuses_a_site_that_is_not_empty_and_changes_nothing(app, site, runner, tmp_path):
    from tracing_app.tickets.models import Ticket

    backup_dir = tmp_path / "backup"
    assert runner.invoke(args=["backup", str(backup_dir)]).exit_code == 0
    make_more = db.session.scalar(select(func.count()).select_from(Ticket))

    refused = runner.invoke(args=["restore", str(backup_dir)])
    assert refused.exit_code == 1
    assert "Not empty: the database" in refused.output
    assert "--replace" in refused.output
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == make_more

    again = runner.invoke(args=["backup", str(backup_dir)])
    assert again.exit_code == 1
    assert "is not empty" in again.output


def test_a_damaged_backup_is_refused_before_anything_changes(
    app, site, runner, tmp_path, empty_instance
):
    backup_dir = tmp_path / "backup"
    assert runner.invoke(args=["backup", str(backup_dir)]).exit_code == 0
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    (media_name,) = [n for n in manifest["items"]["media"]["files"] if n.endswith(".png")][:1]
    (backup_dir / "items" / "media" / media_name).write_bytes(b"not the image")

    target = empty_instance()
    with target.app_context():
        refused = target.test_cli_runner().invoke(args=["restore", str(backup_dir)])
    assert refused.exit_code == 1
    assert f"items/media/{media_name} is missing or damaged" in refused.output
    with target.app_context():
        from content.backup.database import is_empty

        assert is_empty(db.engine)


def test_a_backup_taken_while_tickets_are_written_is_consistent(
    app, backend, site, runner, tmp_path, empty_instance, person_data
):
    """A writer keeps creating tickets (each with audit entries) during the backup."""
    import threading

    from tracing_app.audit.models import AuditEntry
    from tracing_app.audit.operations import verify_chain
    from tracing_app.tickets.models import Ticket
    from tracing_app.tickets.operations import create_ticket, decrypt_ticket

    stop = threading.Event()
    written = []

    def writer():
        with app.app_context():
            while not stop.is_set():
                ticket_id = create_ticket(person_data(), actor=None, source="test").id
                db.session.commit()
                written.append(ticket_id)  # counted once committed: the backup may hold it
            db.session.remove()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 5:
            threading.Event().wait(0.01)
        result = runner.invoke(args=["backup", str(tmp_path / "backup")])
    finally:
        stop.set()
        thread.join(30)
    assert result.exit_code == 0, result.output

    target = empty_instance()
    (tmp_path / "restored-instance").mkdir(exist_ok=True)
    for kept_apart in ("keys.json", "audit.key"):
        shutil.copy2(
            f"{site['instance']}/{kept_apart}", tmp_path / "restored-instance" / kept_apart
        )
    with target.app_context():
        restored = target.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup")])
        assert restored.exit_code == 0, restored.output
        assert verify_chain().ok
        tickets = list(db.session.scalars(select(Ticket)))
        audit = AuditEntry.__table__
        created = set(
            db.session.scalars(select(audit.c.subject_id).where(audit.c.action == "ticket.create"))
        )
        complete = [t for t in tickets if t.reference in created]
        assert len(complete) >= 6  # the site's, and those written before the snapshot
        assert {decrypt_ticket(t).last_name for t in complete} == {SAMPLE_PERSON["last_name"]}
        assert len(complete) == len(tickets)  # no ticket without its data and audit entry
        db.session.remove()
