"""Tolerant lookup: candidates from truncated blind indexes, checked after decrypting, ranked.

The indexes (:mod:`tracing_app.protection.tolerant_index`) are cut short on purpose, so
their candidates include people who do not match. Each candidate's last name, birth date,
address or phone is decrypted here, in memory, and only those that really match the
criteria are returned, exact first, then the closest. Nothing is returned for a search
that matches more than :data:`MAX_MATCHES` people: the agent is asked for another
criterion instead (:class:`TooManyMatches`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, or_, select

from content.extensions import db
from tracing_app.protection import blind_index as bi
from tracing_app.protection import tolerant_index as ti
from tracing_app.protection.crypto import context_for, decrypt
from tracing_app.protection.data_keys import row_key_rings
from tracing_app.protection.keyring import current_key_ring
from tracing_app.protection.keys import KeyRing
from tracing_app.protection.names import name_distance
from tracing_app.tickets.models import Ticket, TicketBlindIndex
from tracing_app.tickets.operations import TABLE

#: More matches than this (after decrypting) and the agent must add a criterion.
MAX_MATCHES = 10
#: Candidates read at most: far above what the truncated indexes give for real searches.
MAX_CANDIDATES = 400


class TooManyMatches(Exception):
    """The search matches more people than may be listed; another criterion is needed."""

    def __init__(self, count: int):
        super().__init__(f"{count} matches")
        self.count = count


@dataclass(frozen=True)
class NameSearch:
    """A last name as heard, with a birth date and/or a postcode (at least one)."""

    last_name: str
    birth_date: dt.date | None = None
    postcode: str | None = None
    year_tolerance: bool = False

    def __repr__(self) -> str:  # never show values (logs, tracebacks)
        return f"<NameSearch year_tolerance={self.year_tolerance}>"


def _candidates(queries: dict[str, list[str]], ring: KeyRing) -> list[Ticket]:
    digests = ti.query_digests(queries, ring)
    if not digests:
        return []
    conditions = [
        and_(TicketBlindIndex.kind == kind, TicketBlindIndex.digest.in_(values))
        for kind, values in digests.items()
    ]
    ids = select(TicketBlindIndex.ticket_id).where(or_(*conditions))
    query = select(Ticket).where(Ticket.id.in_(ids)).order_by(Ticket.id).limit(MAX_CANDIDATES)
    return list(db.session.scalars(query))


def _with_keys(candidates: list[Ticket], ring: KeyRing) -> list[tuple[Ticket, KeyRing]]:
    """Pair each candidate with its own data key (one query for all), else the ring."""
    keys = row_key_rings(TABLE, [ticket.id for ticket in candidates], ring)
    return [(ticket, keys.get(ticket.id, ring)) for ticket in candidates]


def _values(ticket: Ticket, fields: tuple[str, ...], ring: KeyRing) -> dict[str, str | None]:
    """Decrypt only the fields a match needs (no audit entry: nothing is shown yet)."""
    return {
        field: decrypt(
            getattr(ticket, f"{field}_enc"),
            context=context_for(TABLE, ticket.id, field),
            key_ring=ring,
        )
        for field in fields
    }


def date_distance(heard: dt.date, registered: str | None, year_tolerance: bool) -> int | None:
    """0 same date, 1 day and month swapped, 2 or 3 a year off (on request); else None."""
    if not registered:
        return None
    dates = ti.birth_dates(heard, year_tolerance=year_tolerance)
    date = dt.date.fromisoformat(registered)
    if date not in dates:
        return None
    swapped = date.month != heard.month or date.day != heard.day
    return int(swapped) + (2 if date.year != heard.year else 0)


def _ranked(scored: list[tuple[tuple, Ticket]]) -> list[Ticket]:
    if len(scored) > MAX_MATCHES:
        raise TooManyMatches(len(scored))
    return [ticket for _, ticket in sorted(scored, key=lambda pair: pair[0])]


def find_by_name(
    search: NameSearch, ring: KeyRing | None = None, stats: dict | None = None
) -> list[Ticket]:
    """Return the tickets whose last name sounds like or nearly is the one heard, ranked.

    The sound indexes are read first; only when none of their candidates matches are the
    coarser ones (first sounds, for typos) read, which keeps the decrypting per lookup low.

    :param stats: if given, ``stats["candidates"]`` is increased by the candidates read
        (for the benchmark's count of false candidates).
    :raise TooManyMatches: more than :data:`MAX_MATCHES` people match.
    """
    ring = ring or current_key_ring()
    dates = []
    if search.birth_date:
        dates = ti.birth_dates(search.birth_date, year_tolerance=search.year_tolerance)
    queries = ti.name_queries(search.last_name, dates=dates, postcode=search.postcode)
    scored: list = []
    for stage in (ti.SOUND_KINDS, set(queries) - ti.SOUND_KINDS):
        candidates = _candidates({k: v for k, v in queries.items() if k in stage}, ring)
        if stats is not None:
            stats["candidates"] = stats.get("candidates", 0) + len(candidates)
        matches = (_name_match(search, t, keys) for t, keys in _with_keys(candidates, ring))
        scored = [pair for pair in matches if pair]
        if scored:
            break
    return _ranked(scored)


def _name_match(search: NameSearch, ticket: Ticket, ring: KeyRing) -> tuple | None:
    """The ranking key and ticket if the decrypted ticket matches the search, else None."""
    values = _values(ticket, ("last_name", "birth_date", "address"), ring)
    name = name_distance(search.last_name, values["last_name"] or "")
    if name is None:
        return None
    date = 0
    if search.birth_date:
        date = date_distance(search.birth_date, values["birth_date"], search.year_tolerance)
        if date is None:
            return None
    if search.postcode and ti.postcode_of(values["address"]) != search.postcode:
        return None
    return ((name + date, name, date, ticket.id), ticket)


def find_by_phone(text: str, last_name: str | None = None, ring: KeyRing | None = None):
    """Return the tickets of a phone number as typed, or of its last digits with a name.

    A whole number is found without its country code or trunk zero and however spaced;
    with ``last_name``, :data:`~.tolerant_index.TAIL_DIGITS` or more final digits do.

    :raise NormalizationError: too few digits for the kind of search.
    :raise TooManyMatches: more than :data:`MAX_MATCHES` people match.
    """
    ring = ring or current_key_ring()
    digits = ti.phone_digits(text)
    if last_name is not None:
        if len(digits) < ti.TAIL_DIGITS:
            raise bi.NormalizationError("too few digits of a phone number")
        queries = ti.tail_queries(digits, last_name)
    else:
        queries = {ti.PHONE_NATIONAL: ti.national_candidates(text)}
        if not queries[ti.PHONE_NATIONAL]:
            raise bi.NormalizationError("not a phone number")
        # Tickets not yet re-indexed have the exact index only.
        with contextlib.suppress(bi.NormalizationError):
            queries[bi.PHONE] = [bi.normalize(bi.PHONE, text)]
    wanted = set(ti.national_candidates(text))
    scored = []
    for ticket, keys in _with_keys(_candidates(queries, ring), ring):
        values = _values(ticket, ("phone", "last_name"), keys)
        stored = ti.national_number_of(values["phone"]) or ""
        whole = stored in wanted
        name = 0
        if last_name is not None:
            name = name_distance(last_name, values["last_name"] or "")
            if name is None or not (whole or stored.endswith(digits)):
                continue
        elif not whole:
            continue
        scored.append(((int(not whole) + name, ticket.id), ticket))
    return _ranked(scored)
