"""Tolerant indexes for existing tickets: ``tracing-app keys reindex``, and key rotation."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, func, select

from content.extensions import db
from tracing_app.audit.models import AuditEntry
from tracing_app.protection import tolerant_index as ti
from tracing_app.protection.keyfile import add_key_to_file, key_file_path
from tracing_app.protection.keyring import current_key_ring, forget_key_ring
from tracing_app.tickets.models import TicketBlindIndex
from tracing_app.tickets.tolerant import NameSearch, find_by_name, find_by_phone

pytestmark = pytest.mark.db


@pytest.fixture
def restore_keys(app):
    """Put the app's key file back after the test (other tests use it)."""
    path = key_file_path(app.instance_path)
    saved = path.read_bytes()
    yield path
    path.write_bytes(saved)
    forget_key_ring(app)


def _tolerant_rows() -> int:
    query = select(func.count()).where(TicketBlindIndex.kind.in_(ti.TOLERANT_KINDS))
    return db.session.scalar(query)


def test_reindex_fills_the_new_indexes_of_existing_tickets(runner, make_ticket):
    tickets = [make_ticket(last_name=name, national_number=None) for name in ("Müller", "Claeys")]
    before = _tolerant_rows()
    # As before this release: tickets with the exact indexes only.
    db.session.execute(delete(TicketBlindIndex).where(TicketBlindIndex.kind.in_(ti.TOLERANT_KINDS)))
    db.session.commit()
    assert find_by_name(NameSearch("Mueller", birth_date=dt.date(1985, 7, 30))) == []

    result = runner.invoke(args=["keys", "reindex", "--batch-size", "1"])

    assert result.exit_code == 0, result.output
    assert "tickets: 2 rows re-indexed" in result.output
    assert _tolerant_rows() == before
    assert find_by_name(NameSearch("Mueller", birth_date=dt.date(1985, 7, 30))) == [tickets[0]]
    assert find_by_name(NameSearch("Claes", birth_date=dt.date(1985, 7, 30))) == [tickets[1]]
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.action == "keys.reindex"


def test_rotation_rebuilds_the_tolerant_indexes_under_the_new_key(
    runner, restore_keys, make_ticket
):
    ticket = make_ticket(last_name="Van den Bossche", national_number=None)
    old_id = current_key_ring().current_id
    add_key_to_file(restore_keys, make_current=True)
    forget_key_ring()
    # Not yet rotated: found through the old key's digests.
    assert find_by_name(NameSearch("Vandenbosch", postcode="9000")) == [ticket]
    result = runner.invoke(args=["keys", "rotate", "--no-new-key"])
    assert result.exit_code == 0, result.output
    key_ids = set(
        db.session.scalars(
            select(TicketBlindIndex.key_id).where(TicketBlindIndex.kind.in_(ti.TOLERANT_KINDS))
        )
    )
    assert key_ids == {current_key_ring().current_id} != {old_id}
    assert find_by_name(NameSearch("Vandenbosch", postcode="9000")) == [ticket]
    assert find_by_phone("470 12 34 56") == [ticket]
