"""Lookup for inbound callbacks: through blind indexes, audited, minimal.

National number, reference and last name + birth date match exactly; a phone number is
found however it is written, and a name as heard through the tolerant indexes
(:mod:`.tolerant`). A lookup records who searched, when, by which kinds of criteria, why
and how many tickets it found (never the values searched), and lets the agent open what
it found for :data:`access.ACCESS_HOURS` hours.
"""

from __future__ import annotations

from sqlalchemy import select

from content.auth.models import User
from content.extensions import db
from tracing_app.audit.operations import record
from tracing_app.protection import blind_index as bi
from tracing_app.tickets import access, operations, tolerant
from tracing_app.tickets.models import Ticket
from tracing_app.tickets.reference import REFERENCE, InvalidReferenceError, normalize_reference

#: A last name as heard, with a birth date and/or a postcode (a :class:`NameSearch`).
NAME_HEARD = "name_heard"
#: The last digits of a phone number with a last name as heard (``(digits, name)``).
PHONE_END = "phone_end"
#: More results than this are cut (a last name + birth date shared by many is unlikely).
MAX_RESULTS = 20
NameSearch = tolerant.NameSearch
TooManyMatches = tolerant.TooManyMatches


def _find(kind: str, value: object) -> list[Ticket]:
    if kind == REFERENCE:
        try:
            reference = normalize_reference(str(value))
        except InvalidReferenceError:
            raise bi.NormalizationError("not a ticket reference") from None
        return list(db.session.scalars(select(Ticket).where(Ticket.reference == reference)))
    if kind == NAME_HEARD:
        return tolerant.find_by_name(value)
    if kind == bi.PHONE:
        return tolerant.find_by_phone(str(value))
    if kind == PHONE_END:
        digits, last_name = value
        return tolerant.find_by_phone(digits, last_name)
    return operations.tickets_by_index(kind, value)


def _criteria(kind: str, value: object) -> list[str]:
    """The kinds of criteria of a search, for the audit log (never their values)."""
    if kind != NAME_HEARD:
        return [kind]
    given = ("birth_date", "postcode", "year_tolerance")
    return [kind] + [name for name in given if getattr(value, name)]


def lookup(kind: str, value: object, *, actor: User, reason: str) -> list[Ticket]:
    """Return the tickets found, ranked; grant the actor access to them, audit the search.

    :param value: text; ``(last name, birth date)`` for ``name_birth_date``; a
        :class:`NameSearch` for :data:`NAME_HEARD`; ``(digits, last name)`` for
        :data:`PHONE_END`.
    :raise NormalizationError: the value has no normal form of its kind.
    :raise PersonalDataError: the reason looks like personal data (nothing is recorded).
    :raise TooManyMatches: too many people match; the search is recorded, nothing shown.
    """
    try:
        found = _find(kind, value)[:MAX_RESULTS]
    except TooManyMatches:
        record(
            "ticket.search",
            actor=actor,
            subject_type="ticket",
            subject_id="",
            reason=reason,
            details={"criteria": _criteria(kind, value), "results": 0, "too_many": True},
        )
        raise
    record(
        "ticket.search",
        actor=actor,
        subject_type="ticket",
        subject_id="",
        reason=reason,
        details={"criteria": _criteria(kind, value), "results": len(found)},
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
            details={"criteria": _criteria(kind, value)},
        )
    return found
