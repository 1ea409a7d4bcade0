"""Rules of tickets: create or link, decrypt (audited), edit with a version check.

Personal values exist in clear only in memory: :class:`PersonData` in, tokens out. Every
decryption for a person (``person_data``) and every change is written to the audit log,
with field names only, never values. Who may open a ticket: :mod:`.access`; what is
shown before opening: :mod:`.summaries`. See docs/tickets.md.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import and_, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from content.auth.models import User, utcnow
from content.db import savepoint
from content.extensions import db
from tracing_app.audit.operations import record
from tracing_app.protection import blind_index as bi
from tracing_app.protection import tolerant_index as ti
from tracing_app.protection.crypto import context_for, decrypt, encrypt
from tracing_app.protection.data_keys import DataKey, RowKeyRing, row_key_ring, unwrap_key
from tracing_app.protection.keyring import current_key_ring
from tracing_app.protection.keys import KeyRing
from tracing_app.protection.registry import (
    BlindIndexTable,
    EncryptedTable,
    register_encrypted_table,
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

TABLE = "tickets"
#: Kinds of blind index kept per ticket (the reference is a plain column).
INDEXED_KINDS = (bi.NATIONAL_NUMBER, bi.PHONE, bi.EMAIL, bi.NAME_BIRTH_DATE)


class TicketConflict(Exception):
    """The ticket changed since the editor read it (another version was saved)."""

    def __init__(self, ticket: Ticket):
        super().__init__(f"ticket {ticket.reference} changed since it was read")
        self.ticket = ticket


@dataclass
class PersonData:
    """The personal data of a ticket, in clear (memory only)."""

    first_name: str | None = None
    last_name: str | None = None
    national_number: str | None = None
    birth_date: dt.date | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    language: str = "nl"
    #: Free-text notes of the agents about the person (encrypted like the rest).
    notes: str | None = None

    def __repr__(self) -> str:  # never show values (logs, tracebacks)
        filled = [f.name for f in dataclasses.fields(self) if getattr(self, f.name)]
        return f"<PersonData fields={filled}>"


# --- encryption of one ticket ---------------------------------------------------------


def plain(person: PersonData, field: str) -> str | None:
    """Return a field as stored: text (dates in ISO form), None when empty."""
    value = getattr(person, field)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        # Browsers send textarea line breaks as CRLF: one form, so an unchanged address
        # does not count as a change.
        value = value.replace("\r\n", "\n").strip()
        return value or None
    return value


def ticket_key_ring(ticket_id: int, ring: KeyRing | None = None, *, create: bool = False):
    """Return the keys of a ticket: its own data key, falling back to the ring.

    A ticket's fields are encrypted under its data key (crypto-shredding on purge,
    docs/retention.md); tickets from before data keys keep their ring tokens until a
    rotation moves them.
    """
    if isinstance(ring, RowKeyRing):
        return ring  # the ticket's own, read with it (:func:`joined_key_ring`)
    ring = ring or current_key_ring()
    keys = row_key_ring(TABLE, ticket_id, ring, create=create)
    return keys if keys is not None else ring


def data_key_of_ticket(ticket=Ticket):
    """Return the ON clause joining ``ticket`` (the class, or an alias) to its data key."""
    return and_(DataKey.owner == TABLE, DataKey.owner_id == ticket.id)


def joined_key_ring(key_id: int | None, wrapped_key: str | None) -> KeyRing | RowKeyRing:
    """Return a ticket's keys from its data key's columns read with it (None: the ring's).

    Pass the result as ``keys`` to :func:`person_data`: no query for the data key.
    """
    ring = current_key_ring()
    if key_id is None or wrapped_key is None:
        return ring
    return unwrap_key(key_id, wrapped_key, ring)


def _write_tokens(ticket: Ticket, person: PersonData, ring: KeyRing, fields=ENCRYPTED_FIELDS):
    ring = ticket_key_ring(ticket.id, ring, create=True)
    for field in fields:
        context = context_for(TABLE, ticket.id, field)
        setattr(
            ticket, f"{field}_enc", encrypt(plain(person, field), context=context, key_ring=ring)
        )


def decrypt_ticket(ticket: Ticket, ring: KeyRing | None = None) -> PersonData:
    """Decrypt a ticket's personal data WITHOUT an audit entry: for internal rules only.

    Screens call :func:`person_data`, which records who looked and why.
    """
    ring = ticket_key_ring(ticket.id, ring)
    values = {}
    for field in ENCRYPTED_FIELDS:
        token = getattr(ticket, f"{field}_enc")
        values[field] = decrypt(token, context=context_for(TABLE, ticket.id, field), key_ring=ring)
    return _person(values, ticket.language)


def _person(values: Mapping[str, str | None], language: str = "nl") -> PersonData:
    """Return the PersonData of a ticket's decrypted values (field -> text or None)."""
    data = dict(values)
    if data["birth_date"]:
        data["birth_date"] = dt.date.fromisoformat(data["birth_date"])
    return PersonData(language=language, **data)


def index_values(person: PersonData) -> dict[str, object]:
    """Return the values to index by kind (only those that normalize)."""
    candidates = {
        bi.NATIONAL_NUMBER: plain(person, "national_number"),
        bi.PHONE: plain(person, "phone"),
        bi.EMAIL: plain(person, "email"),
        bi.NAME_BIRTH_DATE: (person.last_name, person.birth_date)
        if plain(person, "last_name") and person.birth_date
        else None,
    }
    values = {}
    for kind, value in candidates.items():
        if value is None:
            continue
        try:
            bi.normalize(kind, value)
        except bi.NormalizationError:
            continue  # stored encrypted, just not findable by this kind (forms validate)
        values[kind] = value
    return values


def index_rows(ticket_id: int, person: PersonData, ring: KeyRing) -> list[dict]:
    """Return the ``ticket_blind_indexes`` rows of a person under the current key.

    The exact indexes, then the tolerant ones (:mod:`~tracing_app.protection.tolerant_index`).
    """
    now = utcnow()
    key = ring.blind_index_key(ring.current_id)
    digests = [
        (kind, bi.blind_index(kind, value, ring)) for kind, value in index_values(person).items()
    ]
    tolerant = ti.stored_values(
        plain(person, "last_name"),
        plain(person, "birth_date"),
        plain(person, "phone"),
        plain(person, "address"),
    )
    digests += [(kind, ti.digest(key, kind, normalized)) for kind, normalized in tolerant]
    return [
        {
            "ticket_id": ticket_id,
            "kind": kind,
            "digest": digest,
            "key_id": ring.current_id,
            "indexed_dt": now,
        }
        for kind, digest in digests
    ]


# Key rotation re-encrypts the fields and rebuilds the indexes from the decrypted values.
register_encrypted_table(
    EncryptedTable(
        Ticket.__table__,
        {field: f"{field}_enc" for field in ENCRYPTED_FIELDS},
        row_label="reference",
        row_keys=True,
        blind_indexes=BlindIndexTable(
            TicketBlindIndex.__table__,
            "ticket_id",
            lambda ticket_id, values, ring: index_rows(ticket_id, _person(values), ring),
        ),
    )
)


def _write_indexes(ticket: Ticket, person: PersonData, ring: KeyRing) -> None:
    db.session.execute(delete(TicketBlindIndex).where(TicketBlindIndex.ticket_id == ticket.id))
    rows = index_rows(ticket.id, person, ring)
    if rows:
        db.session.execute(TicketBlindIndex.__table__.insert(), rows)


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
    _write_tokens(ticket, person, ring)
    db.session.flush()
    _write_indexes(ticket, person, ring)
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
    _write_tokens(ticket, person, ring, [f for f in ENCRYPTED_FIELDS if f in changed])
    ticket.updated_dt = utcnow()
    try:
        db.session.flush()  # UPDATE … WHERE version = expected: a concurrent save loses here
    except StaleDataError:
        db.session.rollback()
        raise TicketConflict(db.session.get(Ticket, ticket.id)) from None
    _write_indexes(ticket, person, ring)
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
    ticket.script_response_id = response_id
    if ticket.status == OPEN:
        ticket.status = IN_PROGRESS
    ticket.updated_dt = utcnow()
    db.session.flush()
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
