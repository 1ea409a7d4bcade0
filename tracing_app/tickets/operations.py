"""Rules of tickets: create or link, decrypt (audited), edit with a version check.

Personal values exist in clear only in memory: :class:`PersonData` in, tokens out. Every
decryption for a person (``person_data``) and every change is written to the audit log,
with field names only, never values. Tokens and blind indexes: :mod:`.at_rest`. Who may
open a ticket: :mod:`.access`; what is shown before opening: :mod:`.summaries`. See
docs/tickets.md.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from content.auth.models import User, utcnow
from content.db import savepoint
from content.extensions import db
from tracing_app.audit.operations import record
from tracing_app.protection import blind_index as bi
from tracing_app.protection.data_keys import RowKeyRing
from tracing_app.protection.keyring import current_key_ring
from tracing_app.protection.keys import KeyRing

# The names callers know from this module (they moved to at_rest).
from tracing_app.tickets.at_rest import (  # noqa: F401
    TABLE,
    PersonData,
    data_key_of_ticket,
    decrypt_ticket,
    index_rows,
    index_values,
    joined_key_ring,
    plain,
    write_indexes,
    write_tokens,
)
from tracing_app.tickets.models import (
    CLOSED,
    ENCRYPTED_FIELDS,
    IN_PROGRESS,
    OPEN,
    STATUSES,
    Ticket,
    TicketBlindIndex,
)
from tracing_app.tickets.reference import new_reference


class TicketConflict(Exception):
    """The ticket changed since the editor read it (another version was saved)."""

    def __init__(self, ticket: Ticket):
        super().__init__(f"ticket {ticket.reference} changed since it was read")
        self.ticket = ticket


# --- create, find, link -----------------------------------------------------------------


def create_ticket(person: PersonData, *, actor: User | None, source: str) -> Ticket:
    """Create a ticket with a fresh reference, encrypt the person's data and index it.

    Flushed in the caller's transaction (not committed); audited as ``ticket.create``.
    """
    ring = current_key_ring()
    while True:
        ticket = Ticket(reference=new_reference(), language=person.language or "nl", source=source)
        try:
            with savepoint():  # a reference collision redraws, nothing else lost
                db.session.add(ticket)
                db.session.flush()
            break
        except IntegrityError:
            if db.session.scalar(select(Ticket.id).where(Ticket.reference == ticket.reference)):
                continue
            raise
    # The tokens are bound to the row id, which exists only now.
    write_tokens(ticket, person, ring)
    db.session.flush()
    write_indexes(ticket, person, ring)
    record(
        "ticket.create",
        actor=actor,
        subject_type="ticket",
        subject_id=ticket.reference,
        details={"source": source, "fields": _filled_fields(person)},
    )
    return ticket


def _filled_fields(person: PersonData) -> list[str]:
    return [field for field in ENCRYPTED_FIELDS if plain(person, field) is not None]


def tickets_by_index(kind: str, value: object, ring: KeyRing | None = None) -> list[Ticket]:
    """Return the tickets whose blind index of ``kind`` matches ``value`` (exact match).

    :raise NormalizationError: the value has no normal form of its kind.
    """
    ring = ring or current_key_ring()
    digests = bi.candidate_indexes(kind, value, ring)
    ids = select(TicketBlindIndex.ticket_id).where(
        TicketBlindIndex.kind == kind, TicketBlindIndex.digest.in_(digests)
    )
    return list(db.session.scalars(select(Ticket).where(Ticket.id.in_(ids)).order_by(Ticket.id)))


def find_duplicates(person: PersonData) -> list[Ticket]:
    """Return tickets likely of the same person.

    Same national number, or same phone and birth date (through blind indexes; the birth
    dates of the phone matches are decrypted to compare).
    """
    ring = current_key_ring()
    found: dict[int, Ticket] = {}
    values = index_values(person)
    if bi.NATIONAL_NUMBER in values:
        for ticket in tickets_by_index(bi.NATIONAL_NUMBER, values[bi.NATIONAL_NUMBER], ring):
            found[ticket.id] = ticket
    if bi.PHONE in values and person.birth_date:
        for ticket in tickets_by_index(bi.PHONE, values[bi.PHONE], ring):
            if ticket.id in found:
                continue
            other = decrypt_ticket(ticket, ring)
            if other.birth_date == person.birth_date and not _numbers_differ(person, other):
                found[ticket.id] = ticket
    return [found[key] for key in sorted(found)]


def _numbers_differ(one: PersonData, other: PersonData) -> bool:
    """Two known, different national numbers: two people (e.g. twins sharing a phone)."""
    mine, theirs = _normal_nn(one), _normal_nn(other)
    return bool(mine and theirs and mine != theirs)


def _normal_nn(person: PersonData) -> str | None:
    try:
        return bi.normalize(bi.NATIONAL_NUMBER, person.national_number or "")
    except bi.NormalizationError:
        return None


def create_or_link_ticket(
    person: PersonData, *, actor: User | None, source: str
) -> tuple[Ticket, bool, list[Ticket]]:
    """Link to an existing ticket of the same person, or create one.

    Same national number: linked. Same phone and birth date: linked, unless the first
    names differ (twins, parent and child): then a new ticket is created and the match is
    returned as a likely duplicate to show for merging. Never two tickets silently.

    :return: (ticket, created?, the other likely duplicates).
    """
    duplicates = find_duplicates(person)
    nn = _normal_nn(person)
    ring = current_key_ring()
    for candidate in duplicates:
        other = decrypt_ticket(candidate, ring)
        same_number = nn is not None and nn == _normal_nn(other)
        if same_number or not _first_names_differ(person, other):
            record(
                "ticket.link",
                actor=actor,
                subject_type="ticket",
                subject_id=candidate.reference,
                details={"source": source, "by": "national_number" if same_number else "phone"},
            )
            return candidate, False, [t for t in duplicates if t.id != candidate.id]
    return create_ticket(person, actor=actor, source=source), True, duplicates


def _first_names_differ(one: PersonData, other: PersonData) -> bool:
    mine, theirs = plain(one, "first_name"), plain(other, "first_name")
    return bool(mine and theirs and bi.normalize_name(mine) != bi.normalize_name(theirs))


# --- reading and changing ---------------------------------------------------------------


def person_data(
    ticket: Ticket,
    *,
    actor: User | None,
    reason: str,
    keys: KeyRing | RowKeyRing | None = None,
) -> PersonData:
    """Decrypt a ticket's personal data for someone, audited as ``ticket.view``.

    :param keys: the ticket's keys when the caller read them (:func:`joined_key_ring`).
    """
    person = decrypt_ticket(ticket, keys)
    record(
        "ticket.view",
        actor=actor,
        subject_type="ticket",
        subject_id=ticket.reference,
        reason=reason,
    )
    return person


def update_ticket(
    ticket: Ticket,
    person: PersonData,
    *,
    actor: User | None,
    expected_version: int,
    status: str | None = None,
) -> list[str]:
    """Save new personal data (and status) if nobody saved since ``expected_version``.

    :return: the names of the fields changed (audited as ``ticket.change``).
    :raise TicketConflict: the ticket is at another version; nothing was written.
    """
    if ticket.version != expected_version:
        raise TicketConflict(ticket)
    if status is not None and status not in STATUSES:
        raise ValueError("unknown ticket status")
    ring = current_key_ring()
    old = decrypt_ticket(ticket, ring)
    changed = [f for f in ENCRYPTED_FIELDS if plain(old, f) != plain(person, f)]
    if person.language and person.language != ticket.language:
        ticket.language = person.language
        changed.append("language")
    if status is not None and status != ticket.status:
        _change_status(ticket, status)
        changed.append("status")
    if not changed:
        return []
    write_tokens(ticket, person, ring, [f for f in ENCRYPTED_FIELDS if f in changed])
    ticket.updated_dt = utcnow()
    try:
        db.session.flush()  # UPDATE … WHERE version = expected: a concurrent save loses here
    except StaleDataError:
        db.session.rollback()
        raise TicketConflict(db.session.get(Ticket, ticket.id)) from None
    write_indexes(ticket, person, ring)
    record(
        "ticket.change",
        actor=actor,
        subject_type="ticket",
        subject_id=ticket.reference,
        details={"fields": changed},
    )
    return changed


def _change_status(ticket: Ticket, status: str) -> None:
    """Set the status; closing dates the closure (retention counts from it), reopening clears it."""
    ticket.status = status
    ticket.closed_dt = utcnow() if status == CLOSED else None


def set_status(ticket: Ticket, status: str, *, actor: User | None) -> None:
    """Change a ticket's status (audited); the version goes up like any edit."""
    if status not in STATUSES:
        raise ValueError("unknown ticket status")
    if status == ticket.status:
        return
    _change_status(ticket, status)
    ticket.updated_dt = utcnow()
    db.session.flush()
    record(
        "ticket.change",
        actor=actor,
        subject_type="ticket",
        subject_id=ticket.reference,
        details={"fields": ["status"], "status": status},
    )


def link_script_response(ticket: Ticket, response_id: int, *, actor: User | None) -> None:
    """Remember the script form filled for the ticket (the latest one)."""
    for name, value in script_link_values(ticket, response_id).items():
        setattr(ticket, name, value)
    db.session.flush()
    record_script_link(ticket, actor=actor)


def script_link_values(ticket: Ticket, response_id: int) -> dict:
    """The ticket's columns that linking the script form ``response_id`` changes."""
    status = IN_PROGRESS if ticket.status == OPEN else ticket.status
    return {"script_response_id": response_id, "status": status, "updated_dt": utcnow()}


def record_script_link(ticket: Ticket, *, actor: User | None) -> None:
    """Audit that the ticket's script form changed (written by whoever linked it)."""
    record(
        "ticket.change",
        actor=actor,
        subject_type="ticket",
        subject_id=ticket.reference,
        details={"fields": ["script_response"]},
    )


def record_contact(ticket: Ticket, *, actor: User, script: str, direction: str = "inbound") -> None:
    """Record that the citizen was talked to about this ticket (an inbound call, a callback).

    Outbound calls are recorded by the calls package as call attempts.
    """
    if ticket.status == OPEN:
        set_status(ticket, IN_PROGRESS, actor=actor)
    record(
        "ticket.contact",
        actor=actor,
        subject_type="ticket",
        subject_id=ticket.reference,
        details={"direction": direction, "script": script},
    )


def hand_over_script(ticket: Ticket, response, *, agent: User) -> None:
    """Let ``agent`` continue the ticket's script form where another agent stopped.

    The scripts package lets only a form's own agent fill it; an inbound callback is
    taken by whoever answers, so the form moves to them (audited).
    """
    if response.agent_id == agent.id:
        return
    previous = response.agent_id
    response.agent_id = agent.id
    db.session.flush()
    record(
        "ticket.script_handover",
        actor=agent,
        subject_type="ticket",
        subject_id=ticket.reference,
        details={"from": f"user {previous}" if previous else "nobody"},
    )
