"""The purge: erase what expired, batch by batch, and say beforehand what it would erase.

Per expired ticket (closed before the ``tickets`` cutoff, not on hold), in one transaction
per batch: its data key is destroyed (crypto-shredding: every token under it becomes
unreadable, in backups too once no ring key can unwrap the copy there), its encrypted
columns are emptied, its blind indexes, accesses, escalations and documents deleted, its
script answers emptied and the notes of its call attempts erased. The ticket stays as a
shell (reference, status, language, source, dates) so statistics still count it, the
change row its update writes (a trigger) makes the exchange feed send it as a tombstone,
and one audit entry per batch records the purge (counts and id range, no personal data).
Shorter periods of call attempts and documents erase those earlier. See docs/retention.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import delete, select, update

from content.auth.models import User, utcnow
from content.extensions import db
from tracing_app.audit.operations import record
from tracing_app.calls.models import CallAttempt
from tracing_app.documents.models import TicketDocument
from tracing_app.exchange.changes import ExchangeChange
from tracing_app.protection.data_keys import destroy_data_keys
from tracing_app.retention import policy, selection
from tracing_app.scripts.models import FormResponse
from tracing_app.tickets.models import (
    ENCRYPTED_FIELDS,
    Ticket,
    TicketAccess,
    TicketBlindIndex,
    TicketEscalation,
)

DEFAULT_BATCH = 500


def _batches(query, batch_size: int) -> Iterator[list[int]]:
    """Yield ids of the query by ascending id, one committed batch at a time."""
    last_id = 0
    while True:
        if db.engine.dialect.name == "sqlite":
            # Overwrite what is deleted instead of leaving it in free pages of the file
            # (per connection: each batch may get another one from the pool).
            db.session.connection().exec_driver_sql("PRAGMA secure_delete = ON")
        batch = query.where(query.selected_columns[0] > last_id)
        batch = batch.order_by(query.selected_columns[0]).limit(batch_size)
        if db.engine.dialect.name == "postgresql":
            # Rows an agent holds are skipped this time and purged by the next run.
            batch = batch.with_for_update(skip_locked=True)
        ids = list(db.session.scalars(batch))
        if not ids:
            return
        yield ids
        db.session.commit()
        last_id = ids[-1]


def purge_tickets(ids: list[int], now: datetime, *, actor: User | None = None) -> None:
    """Erase the personal data of these tickets, keep their shells (in the caller's transaction)."""
    conn = db.session.connection()
    responses = select(Ticket.script_response_id).where(
        Ticket.id.in_(ids), Ticket.script_response_id.is_not(None)
    )
    conn.execute(
        update(FormResponse).where(FormResponse.id.in_(responses)).values(answers_json="{}")
    )
    conn.execute(
        update(CallAttempt)
        .where(CallAttempt.order_id.in_(selection.orders_of(ids)))
        .values(note_enc=None)
    )
    destroy_data_keys("tickets", ids, conn=conn)
    for table, column in (
        (TicketBlindIndex, TicketBlindIndex.ticket_id),
        (TicketAccess, TicketAccess.ticket_id),
        (TicketEscalation, TicketEscalation.ticket_id),
        (TicketDocument, TicketDocument.ticket_id),
    ):
        conn.execute(delete(table).where(column.in_(ids)))
    # Setting purged_dt is a save: the table's trigger writes the tombstone's change row.
    conn.execute(
        update(Ticket)
        .where(Ticket.id.in_(ids))
        .values(
            {f"{field}_enc": None for field in ENCRYPTED_FIELDS}
            | {"purged_dt": now, "updated_dt": now, "assigned_to_id": None}
        )
    )
    record(
        "retention.purge",
        actor=actor,
        subject_type="retention",
        subject_id=policy.TICKETS,
        details={"count": len(ids), "first_id": ids[0], "last_id": ids[-1]},
    )


def purge(now: datetime | None = None, *, batch_size: int = DEFAULT_BATCH, actor=None) -> dict:
    """Run the purge of every kind; return how many records each kind lost.

    Each batch is its own transaction, so agents wait on at most one batch and a stopped
    run keeps what it did; a second run continues.
    """
    now = now or utcnow()
    db.session.commit()
    done = {kind: 0 for kind in policy.KINDS}
    cutoff = policy.cutoff(policy.TICKETS, now)
    if cutoff is not None:
        for ids in _batches(selection.due(policy.TICKETS, cutoff), batch_size):
            purge_tickets(ids, now, actor=actor)
            done[policy.TICKETS] += len(ids)
    erase = {
        policy.CALL_ATTEMPTS: lambda ids: (
            update(CallAttempt).where(CallAttempt.id.in_(ids)).values(note_enc=None)
        ),
        policy.DOCUMENTS: lambda ids: delete(TicketDocument).where(TicketDocument.id.in_(ids)),
        policy.EXCHANGE_FEED: lambda ids: delete(ExchangeChange).where(ExchangeChange.id.in_(ids)),
    }
    for kind, statement in erase.items():
        done[kind] = _purge_kind(kind, now, batch_size, actor, statement)
    db.session.commit()
    if db.engine.dialect.name == "sqlite":
        # Old page images stay in the write-ahead log until a checkpoint rewrites it.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return done


def _purge_kind(kind, now, batch_size, actor, erase) -> int:
    """Erase a kind's expired records batch by batch, one audit entry per batch."""
    cutoff = policy.cutoff(kind, now)
    if cutoff is None:
        return 0
    count = 0
    for ids in _batches(selection.due(kind, cutoff), batch_size):
        db.session.connection().execute(erase(ids))
        record(
            "retention.purge",
            actor=actor,
            subject_type="retention",
            subject_id=kind,
            details={"count": len(ids), "first_id": ids[0], "last_id": ids[-1]},
        )
        count += len(ids)
    return count
