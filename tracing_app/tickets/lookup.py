"""Lookup for inbound callbacks: exact matches through blind indexes, audited, minimal.

A lookup records who searched, when, by which kind of criterion, why and how many
tickets it found (never the value searched), and lets the agent open what it found for
:data:`access.ACCESS_HOURS` hours.
"""

from __future__ import annotations

from sqlalchemy import select

from content.auth.models import User
from content.extensions import db
from tracing_app.audit.operations import record
from tracing_app.protection import blind_index as bi
from tracing_app.tickets import access, operations
from tracing_app.tickets.models import Ticket
from tracing_app.tickets.reference import REFERENCE, InvalidReferenceError, normalize_reference

#: More results than this are cut (a last name + birth date shared by many is unlikely).
MAX_RESULTS = 20


def lookup(kind: str, value: object, *, actor: User, reason: str) -> list[Ticket]:
    """Return the tickets matching exactly, grant the actor access to them, audit the search.

    :param value: text, or ``(last name, birth date)`` for ``name_birth_date``.
    :raise NormalizationError: the value has no normal form of its kind.
    :raise PersonalDataError: the reason looks like personal data (nothing is recorded).
    """
    if kind == REFERENCE:
        try:
            reference = normalize_reference(str(value))
        except InvalidReferenceError:
            raise bi.NormalizationError("not a ticket reference") from None
        found = list(db.session.scalars(select(Ticket).where(Ticket.reference == reference)))
    else:
        found = operations.tickets_by_index(kind, value)
    found = found[:MAX_RESULTS]
    record(
        "ticket.search",
        actor=actor,
        subject_type="ticket",
        subject_id="",
        reason=reason,
        details={"criteria": [kind], "results": len(found)},
    )
    for ticket in found:
        access.grant_access(actor, ticket, reason="lookup")
        # One entry per ticket found, so a ticket's history shows who found it and when.
        # No entry ids in details: the personal-data guard refuses numbers of 8+ digits.
        record(
            "ticket.found",
            actor=actor,
            subject_type="ticket",
            subject_id=ticket.reference,
            details={"criteria": [kind]},
        )
    return found
