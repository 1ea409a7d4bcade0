"""Blind indexes that forgive the phone line: sound of a name, its initial, phone endings.

Each is a keyed HMAC (:func:`.blind_index.keyed_digest`) of a normalized combination,
kept in the same table as the exact indexes under its own kind. The name indexes are cut
to :data:`TOLERANT_HEX_LENGTH` hex characters (20 bits), as CipherSweet does: with a
million people every bucket also holds about one unrelated person, so a stolen database
does not tell who shares a name and a birth date, and a lookup gets a few false
candidates that the server drops after decrypting (:mod:`tracing_app.tickets.tolerant`).
The leakage of each kind is in docs/personal-data.md, "Tolerant lookup".
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterable

import phonenumbers

from tracing_app.identifiers import DEFAULT_PHONE_REGION
from tracing_app.protection.blind_index import INDEX_HEX_LENGTH, keyed_digest
from tracing_app.protection.keys import KeyRing
from tracing_app.protection.names import sound_keys

#: Sound of the last name + birth date (``MLR|1985-07-30``).
NAME_SOUND_BIRTH = "name_sound_birth"
#: First letter of that sound + birth date: finds names with a typo past the first sound.
NAME_INITIAL_BIRTH = "name_initial_birth"
#: Sound of the last name + Belgian postcode of the address.
NAME_SOUND_POSTCODE = "name_sound_postcode"
#: First :data:`PREFIX_SOUNDS` sounds + postcode: typos further on (a postcode holds more
#: people than a birth date, so a longer prefix than the initial keeps candidates few).
NAME_PREFIX_POSTCODE = "name_prefix_postcode"
#: The phone's national significant number (no country code, no trunk zero).
PHONE_NATIONAL = "phone_national"
#: The last :data:`TAIL_DIGITS` digits of the phone + first sound of the last name.
PHONE_TAIL_NAME = "phone_tail_name"
TOLERANT_KINDS = (
    NAME_SOUND_BIRTH,
    NAME_INITIAL_BIRTH,
    NAME_SOUND_POSTCODE,
    NAME_PREFIX_POSTCODE,
    PHONE_NATIONAL,
    PHONE_TAIL_NAME,
)
#: Hex characters kept of the name and phone-ending digests (20 bits: see the docstring).
TOLERANT_HEX_LENGTH = 5
#: Digits of a phone's end that, with a name, find a ticket.
TAIL_DIGITS = 6
PREFIX_SOUNDS = 2
#: Name kinds searched first; the coarser ones (initial, prefix) only when these find nobody.
SOUND_KINDS = frozenset((NAME_SOUND_BIRTH, NAME_SOUND_POSTCODE))
#: Kinds cut to :data:`TOLERANT_HEX_LENGTH`; the others keep the exact indexes' length.
TRUNCATED_KINDS = frozenset(
    (NAME_SOUND_BIRTH, NAME_INITIAL_BIRTH, NAME_SOUND_POSTCODE, PHONE_TAIL_NAME)
)
_POSTCODE = re.compile(r"(?<!\d)([1-9]\d{3})(?!\d)")


def digest(key: bytes, kind: str, normalized: str) -> str:
    """Return the stored digest of a normalized value (cut short for the truncated kinds)."""
    length = TOLERANT_HEX_LENGTH if kind in TRUNCATED_KINDS else INDEX_HEX_LENGTH
    return keyed_digest(key, kind, normalized)[:length]


def postcode_of(address: str | None) -> str | None:
    """Return the last four-digit number of an address (a Belgian postcode), if any."""
    found = _POSTCODE.findall(address or "")
    return found[-1] if found else None


def national_number_of(phone: str | None) -> str | None:
    """Return a phone's national significant number as stored, or None."""
    try:
        number = phonenumbers.parse(phone or "", DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None
    significant = phonenumbers.national_significant_number(number)
    return significant if significant.isdigit() and len(significant) >= TAIL_DIGITS else None


def stored_values(
    last_name: str | None, birth_date: str | None, phone: str | None, address: str | None
) -> list[tuple[str, str]]:
    """Return the (kind, normalized value) pairs to index for one person (no duplicates)."""
    keys = sound_keys(last_name) if last_name else ()
    pairs: list[tuple[str, str]] = []
    if keys and birth_date:
        pairs += [(NAME_SOUND_BIRTH, f"{key}|{birth_date}") for key in keys]
        pairs += [(NAME_INITIAL_BIRTH, f"{initial}|{birth_date}") for initial in _initials(keys)]
    postcode = postcode_of(address)
    if keys and postcode:
        pairs += [(NAME_SOUND_POSTCODE, f"{key}|{postcode}") for key in keys]
        pairs += [(NAME_PREFIX_POSTCODE, f"{p}|{postcode}") for p in _prefixes(keys)]
    significant = national_number_of(phone)
    if significant:
        pairs.append((PHONE_NATIONAL, significant))
        tail = significant[-TAIL_DIGITS:]
        pairs += [(PHONE_TAIL_NAME, f"{tail}|{initial}") for initial in _initials(keys)]
    return list(dict.fromkeys(pairs))


def _initials(keys: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(key[0] for key in keys))


def _prefixes(keys: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(key[:PREFIX_SOUNDS] for key in keys))


def birth_dates(birth_date: dt.date, *, year_tolerance: bool = False) -> list[dt.date]:
    """Return the dates to try: as given, day and month swapped, and years ±1 on request."""
    dates = [birth_date]
    with contextlib.suppress(ValueError):  # a day past 12 cannot be a month
        dates.append(birth_date.replace(month=birth_date.day, day=birth_date.month))
    if year_tolerance:
        for date in list(dates):
            for years in (-1, 1):
                with contextlib.suppress(ValueError):  # 29 February
                    dates.append(date.replace(year=date.year + years))
    return list(dict.fromkeys(dates))


def name_queries(
    last_name: str, *, dates: Iterable[dt.date] = (), postcode: str | None = None
) -> dict[str, list[str]]:
    """Return the normalized values to look up by kind for a name as heard."""
    keys = sound_keys(last_name)
    queries: dict[str, list[str]] = {}
    for date in dates:
        iso = date.isoformat()
        queries.setdefault(NAME_SOUND_BIRTH, []).extend(f"{key}|{iso}" for key in keys)
        queries.setdefault(NAME_INITIAL_BIRTH, []).extend(f"{i}|{iso}" for i in _initials(keys))
    if postcode:
        queries[NAME_SOUND_POSTCODE] = [f"{key}|{postcode}" for key in keys]
        queries[NAME_PREFIX_POSTCODE] = [f"{p}|{postcode}" for p in _prefixes(keys)]
    return queries


def phone_digits(text: str) -> str:
    """Return the digits of a phone number as typed."""
    return "".join(char for char in text if char.isdigit())


def national_candidates(text: str) -> list[str]:
    """Return the national significant numbers a typed phone number may stand for.

    "+32 470 12 34 56", "0032470123456", "0470123456", "470123456" and "32470123456" all
    give "470123456"; a foreign number typed without its country code ("06 12345678")
    gives "612345678", which is how it is stored.
    """
    candidates = []
    parsed = national_number_of(text)
    if parsed:
        candidates.append(parsed)
    digits = phone_digits(text)
    if not text.strip().startswith("+") and not digits.startswith("00"):
        candidates.append(digits.lstrip("0"))
        if digits.startswith("32"):
            candidates.append(digits[2:].lstrip("0"))
    return [c for c in dict.fromkeys(candidates) if len(c) >= TAIL_DIGITS]


def tail_queries(digits: str, last_name: str) -> dict[str, list[str]]:
    """Return the values to look up for the last digits of a phone and a name as heard."""
    tail = digits[-TAIL_DIGITS:]
    return {PHONE_TAIL_NAME: [f"{tail}|{i}" for i in _initials(sound_keys(last_name))]}


def query_digests(queries: dict[str, list[str]], key_ring: KeyRing) -> dict[str, list[str]]:
    """Return the digests of the values by kind under every key of the ring."""
    keys = [key_ring.blind_index_key(key_id) for key_id in key_ring.key_ids]
    return {
        kind: list(dict.fromkeys(digest(key, kind, value) for value in values for key in keys))
        for kind, values in queries.items()
        if values
    }
