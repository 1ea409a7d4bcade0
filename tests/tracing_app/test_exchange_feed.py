"""The change feed is written by the database: which writes make a row, and how many.

Triggers on tickets, call attempts and forms (docs/exchange.md) see every save, ORM or
Core; key rotation and the links the database clears are not saves. Rows are counted
in the table itself: a PostgreSQL page waits for every older transaction of the cluster,
which parallel test runs hold back (the paging is tested in test_exchange_export.py).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from content.auth.models import utcnow
from content.extensions import db
from tracing_app.calls.models import CallAttempt
from tracing_app.exchange import changes, export
from tracing_app.exchange.changes import ExchangeChange
from tracing_app.protection.keyfile import key_file_path
from tracing_app.protection.keyring import forget_key_ring
from tracing_app.retention.purge import purge
from tracing_app.scripts import operations as scripts
from tracing_app.scripts.models import FormResponse
from tracing_app.tickets import operations as tickets
from tracing_app.tickets.models import CLOSED, Ticket

pytestmark = pytest.mark.db

SCRIPT = Path(__file__).parents[2] / "tracing_app" / "seed" / "scripts" / "inbound_callback.csv"


def _rows(kind: str | None = None, subject_id: int | None = None) -> list[tuple]:
    """(kind, subject id, txid) of the feed's rows, oldest first (optionally of one record)."""
    query = select(ExchangeChange.kind, ExchangeChange.subject_id, ExchangeChange.txid)
    if kind is not None:
        query = query.where(ExchangeChange.kind == kind, ExchangeChange.subject_id == subject_id)
    rows = [tuple(row) for row in db.session.execute(query.order_by(ExchangeChange.id))]
    db.session.rollback()  # a fresh snapshot for the next count
    return rows


@pytest.fixture
def saved(make_ticket, make_campaign, queue_order, create_user):
    """One record of each kind, saved and committed: {table: id}."""
    agent = create_user(roles=["agent"])
    ticket = make_ticket()
    order = queue_order(make_campaign())
    now = utcnow()
    attempt = CallAttempt(
        order_id=order.id, agent_id=agent.id, outcome="no_answer", started_dt=now, ended_dt=now
    )
    db.session.add(attempt)
    version = scripts.upload_version(SCRIPT.read_bytes(), SCRIPT.name, actor=agent)
    scripts.publish(version)
    form = scripts.start_form(version, agent=agent, language="nl")
    db.session.commit()
    return {"tickets": ticket.id, "call_attempts": attempt.id, "form_responses": form.id}


def test_an_update_of_any_column_but_tokens_and_cleared_links_is_in_the_feed(saved):
    """A Core UPDATE (no session, no hook) of a column is a save unless NOT_A_SAVE lists it.

    The columns come from the models: a column added without adding it to the triggers
    (a migration) fails here.
    """
    found, expected = {}, {}
    for table, kind in changes.TABLE_KINDS.items():
        record_id = saved[table]
        for column in db.metadata.tables[table].columns:
            before = len(_rows(kind, record_id))
            with db.engine.begin() as conn:
                conn.execute(
                    text(f"UPDATE {table} SET {column.name} = {column.name} WHERE id = :id"),  # noqa: S608
                    {"id": record_id},
                )
            found[f"{table}.{column.name}"] = len(_rows(kind, record_id)) - before
            expected[f"{table}.{column.name}"] = int(column.name not in changes.NOT_A_SAVE[table])
    assert found == expected


def test_one_row_per_record_and_transaction(app, backend):
    """A ticket created (its row, then its tokens) and changed in one transaction: one row.

    SQLite has no transaction id: one row per flush there, and the export sends the
    record once per page all the same.
    """
    ticket = tickets.create_ticket(
        tickets.PersonData(first_name="Griet", phone="0470 12 34 56"), actor=None, source="test"
    )
    tickets.set_status(ticket, CLOSED, actor=None)
    db.session.flush()
    db.session.commit()
    rows = _rows("ticket", ticket.id)
    if backend == "postgresql":
        assert len(rows) == 1
        assert rows[0][2] > 0  # the saving transaction's id
    else:
        assert rows
        page = export.read_page("tickets", None, 100)
        assert [r["reference"] for r in page.records] == [ticket.reference]


def test_the_purge_sends_the_ticket_once_as_a_tombstone_and_nothing_else(saved):
    """The purge's Core UPDATE of the ticket writes the tombstone's row, and only it.

    The form's answers and the attempt's note it empties are no save: the form is not
    sent again with no answers.
    """
    ticket = db.session.get(Ticket, saved["tickets"])
    attempt = db.session.get(CallAttempt, saved["call_attempts"])
    ticket.script_response_id = saved["form_responses"]
    attempt.order.ticket_id = ticket.id
    attempt.note_enc = "a note to erase"
    tickets.set_status(ticket, CLOSED, actor=None)
    ticket.closed_dt = utcnow() - timedelta(days=600)
    db.session.commit()
    before = _rows()
    assert purge()["tickets"] == 1
    new = [(kind, subject_id) for kind, subject_id, _txid in _rows()[len(before) :]]
    assert new == [("ticket", ticket.id)]
    db.session.expire_all()
    assert attempt.note_enc is None
    assert scripts.answers(db.session.get(FormResponse, saved["form_responses"])) == {}


@pytest.fixture
def restore_keys(app):
    """Put the app's key file back after the test (other tests use it)."""
    path = key_file_path(app.instance_path)
    saved = path.read_bytes()
    yield path
    path.write_bytes(saved)
    forget_key_ring(app)


def test_key_rotation_sends_nothing_again(runner, restore_keys, saved):
    """Re-encrypted tokens hold the same data: no record is sent again."""
    before = _rows()
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "tickets: 1 rows re-encrypted" in result.output
    assert "form_responses: 1 rows re-encrypted" in result.output
    assert _rows() == before


def test_an_agents_save_writes_its_row_without_a_statement_of_the_application(saved, count_queries):
    """The trigger writes the row: the flush sends the form's UPDATE and nothing else."""
    form = db.session.get(FormResponse, saved["form_responses"])
    before = db.session.scalar(select(func.count()).select_from(ExchangeChange))
    with count_queries() as log:
        scripts.save_answers(form, {"notes": "Jozefien"}, base_revision=form.revision)
        db.session.flush()
    assert not [s for s in log.statements if "exchange_changes" in s]
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(ExchangeChange)) == before + 1
