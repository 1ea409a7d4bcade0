"""The purge: erase what expired, batch by batch, and say beforehand what it would erase.

Per expired ticket (closed before the ``tickets`` cutoff, not on hold), in one transaction
per batch: its data key is destroyed (crypto-shredding: every token under it becomes
unreadable, in backups too once no ring key can unwrap the copy there), its encrypted
columns are emptied, its blind indexes, accesses, escalations and documents deleted, its
script answers emptied and the notes of its call attempts erased. The ticket stays as a
shell (reference, status, language, source, dates) so statistics still count it, a change
row makes the exchange feed send it as a tombstone, and one audit entry per batch records
the purge (counts and id range, no personal data). Shorter periods of call attempts and
documents erase those earlier. See docs/retention.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, not_, or_, select, update

from content.auth.models import User, utcnow
from content.extensions import db
from tracing_app.audit.operations import record
from tracing_app.calls.models import CallAttempt, CallOrder
from tracing_app.documents.models import TicketDocument
from tracing_app.exchange import changes
from tracing_app.exchange.changes import ExchangeChange
from tracing_app.protection.data_keys import destroy_data_keys
from tracing_app.retention import policy
from tracing_app.retention.holds import held
from tracing_app.scripts.models import FormResponse
from tracing_app.tickets.models import (
    CLOSED,
    ENCRYPTED_FIELDS,
    Ticket,
    TicketAccess,
    TicketBlindIndex,
    TicketEscalation,
)

DEFAULT_BATCH = 500


@dataclass(frozen=True)
class KindReport:
    """What the purge would do for one kind: how many are due now, and the next due date."""

    kind: str
    days: int | None
    due: int
    next_due_dt: datetime | None


def _expired_tickets(cutoff: datetime):
    """SQL: tickets closed before the cutoff, not on hold."""
    return and_(
        Ticket.status == CLOSED,
        Ticket.closed_dt < cutoff,
        not_(held(Ticket.id)),
    )


def _closed_unpurged():
    return and_(Ticket.status == CLOSED, Ticket.purged_dt.is_(None), not_(held(Ticket.id)))


def _orders_of(ticket_ids):
    return select(CallOrder.id).where(
        or_(CallOrder.ticket_id.in_(ticket_ids), CallOrder.source_ticket_id.in_(ticket_ids))
    )


def _next_due(days: int | None, condition) -> datetime | None:
    if days is None:
        return None
    first = db.session.scalar(select(func.min(Ticket.closed_dt)).where(condition))
    return None if first is None else first + timedelta(days=days)


def report(now: datetime | None = None) -> list[KindReport]:
    """Say, per kind, how much the purge would erase now and when the next one is due."""
    now = now or utcnow()
    days = policy.periods()
    reports = []
    cut = policy.cutoff(policy.TICKETS, now)
    due = 0
    if cut is not None:
        due = db.session.scalar(
            select(func.count()).where(_expired_tickets(cut), Ticket.purged_dt.is_(None))
        )
    later = and_(_closed_unpurged(), Ticket.closed_dt >= cut) if cut else _closed_unpurged()
    reports.append(
        KindReport(
            policy.TICKETS, days[policy.TICKETS], due, _next_due(days[policy.TICKETS], later)
        )
    )

    cut = policy.cutoff(policy.CALL_ATTEMPTS, now)
    due = 0
    if cut is not None:
        due = db.session.scalar(
            select(func.count(CallAttempt.id)).where(
                CallAttempt.note_enc.is_not(None),
                CallAttempt.order_id.in_(
                    _orders_of(select(Ticket.id).where(_expired_tickets(cut)))
                ),
            )
        )
    reports.append(KindReport(policy.CALL_ATTEMPTS, days[policy.CALL_ATTEMPTS], due, None))

    cut = policy.cutoff(policy.DOCUMENTS, now)
    due = 0
    if cut is not None:
        due = db.session.scalar(
            select(func.count(TicketDocument.id)).where(
                TicketDocument.ticket_id.in_(select(Ticket.id).where(_expired_tickets(cut)))
            )
        )
    reports.append(KindReport(policy.DOCUMENTS, days[policy.DOCUMENTS], due, None))

    cut = policy.cutoff(policy.EXCHANGE_FEED, now)
    due = 0
    if cut is not None:
        due = db.session.scalar(
            select(func.count(ExchangeChange.id)).where(ExchangeChange.changed_dt < cut)
        )
    reports.append(KindReport(policy.EXCHANGE_FEED, days[policy.EXCHANGE_FEED], due, None))
    reports.append(KindReport(policy.AUDIT_LOG, None, 0, None))
    return reports


def _batches(query, batch_size: int) -> Iterator[list[int]]:
    """Yield ids of the query by ascending id, one committed batch at a time."""
    last_id = 0
    while True:
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
        update(CallAttempt).where(CallAttempt.order_id.in_(_orders_of(ids))).values(note_enc=None)
    )
    destroy_data_keys("tickets", ids, conn=conn)
    for table, column in (
        (TicketBlindIndex, TicketBlindIndex.ticket_id),
        (TicketAccess, TicketAccess.ticket_id),
        (TicketEscalation, TicketEscalation.ticket_id),
        (TicketDocument, TicketDocument.ticket_id),
    ):
        conn.execute(delete(table).where(column.in_(ids)))
    conn.execute(
        update(Ticket)
        .where(Ticket.id.in_(ids))
        .values(
            {f"{field}_enc": None for field in ENCRYPTED_FIELDS}
            | {"purged_dt": now, "updated_dt": now, "assigned_to_id": None}
        )
    )
    changes.record_changes(conn, changes.TICKET, ids)
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
    sqlite = db.engine.dialect.name == "sqlite"
    if sqlite:
        # Overwrite what is deleted instead of leaving it in free pages of the file.
        db.session.connection().exec_driver_sql("PRAGMA secure_delete = ON")
    done = {kind: 0 for kind in policy.KINDS}
    cut = policy.cutoff(policy.TICKETS, now)
    if cut is not None:
        query = select(Ticket.id).where(_expired_tickets(cut), Ticket.purged_dt.is_(None))
        for ids in _batches(query, batch_size):
            purge_tickets(ids, now, actor=actor)
            done[policy.TICKETS] += len(ids)
    done[policy.CALL_ATTEMPTS] = _purge_simple(
        policy.CALL_ATTEMPTS,
        now,
        batch_size,
        actor,
        lambda cut: select(CallAttempt.id).where(
            CallAttempt.note_enc.is_not(None),
            CallAttempt.order_id.in_(_orders_of(select(Ticket.id).where(_expired_tickets(cut)))),
        ),
        lambda ids: update(CallAttempt).where(CallAttempt.id.in_(ids)).values(note_enc=None),
    )
    done[policy.DOCUMENTS] = _purge_simple(
        policy.DOCUMENTS,
        now,
        batch_size,
        actor,
        lambda cut: select(TicketDocument.id).where(
            TicketDocument.ticket_id.in_(select(Ticket.id).where(_expired_tickets(cut)))
        ),
        lambda ids: delete(TicketDocument).where(TicketDocument.id.in_(ids)),
    )
    done[policy.EXCHANGE_FEED] = _purge_simple(
        policy.EXCHANGE_FEED,
        now,
        batch_size,
        actor,
        lambda cut: select(ExchangeChange.id).where(ExchangeChange.changed_dt < cut),
        lambda ids: delete(ExchangeChange).where(ExchangeChange.id.in_(ids)),
    )
    db.session.commit()
    if sqlite:
        # Old page images stay in the write-ahead log until a checkpoint rewrites it.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return done


def _purge_simple(kind, now, batch_size, actor, select_due, erase) -> int:
    """Erase a kind's expired records batch by batch, one audit entry per batch."""
    cut = policy.cutoff(kind, now)
    if cut is None:
        return 0
    count = 0
    for ids in _batches(select_due(cut), batch_size):
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
