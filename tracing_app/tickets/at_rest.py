"""A ticket's personal data at rest: tokens under its own data key, and blind indexes.

Personal values exist in clear only in memory (:class:`PersonData`); the table stores
AES-GCM tokens bound to (table, row, field) and keyed HMAC digests to find a ticket by a
value. Declared to :mod:`tracing_app.protection.registry`, so key rotation re-encrypts
and re-indexes tickets with every other encrypted table. Decrypting for a person goes
through :func:`tracing_app.tickets.operations.person_data`, which audits it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import and_, delete

from content.auth.models import utcnow
from content.extensions import db
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
from tracing_app.tickets.models import ENCRYPTED_FIELDS, Ticket, TicketBlindIndex

TABLE = "tickets"
#: Kinds of blind index kept per ticket (the reference is a plain column).
INDEXED_KINDS = (bi.NATIONAL_NUMBER, bi.PHONE, bi.EMAIL, bi.NAME_BIRTH_DATE)


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


def write_tokens(ticket: Ticket, person: PersonData, ring: KeyRing, fields=ENCRYPTED_FIELDS):
    """Encrypt the person's fields into the ticket's tokens, under its own data key."""
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


def write_indexes(ticket: Ticket, person: PersonData, ring: KeyRing) -> None:
    """Replace the ticket's blind indexes with those of ``person``."""
    db.session.execute(delete(TicketBlindIndex).where(TicketBlindIndex.ticket_id == ticket.id))
    rows = index_rows(ticket.id, person, ring)
    if rows:
        db.session.execute(TicketBlindIndex.__table__.insert(), rows)
