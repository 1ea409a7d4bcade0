"""Blind indexes: keyed HMACs of normalized values, to find a row without decrypting them all.

The index of a value is ``HMAC-SHA256(blind-index key, kind + NUL + normalized value)``
in hex, cut to :data:`INDEX_HEX_LENGTH` characters. Equal normalized values give equal
indexes; the kind in the input keeps a phone number and a national number with the same
digits apart. Only exact matches are possible: no prefixes, no ranges, no fuzzy search.

128 bits leave no practical chance of two values sharing an index (about 10^-25 among
ten million values), and halve the column against a full digest. They do not
hide how often a value occurs: see docs/personal-data.md for that limit.

The kinds of personal data every feature shares (national number, phone, e-mail, name
and birth date) are defined here; a feature adds a kind of its own with
:func:`register_kind` (the tickets add their reference).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Callable

from email_validator import EmailNotValidError, validate_email

from tracing_app import identifiers
from tracing_app.protection.keys import KeyRing

NATIONAL_NUMBER = "national_number"
PHONE = "phone"
EMAIL = "email"
#: Value: a ``(last name, birth date)`` pair; the date as ``datetime.date`` or ``YYYY-MM-DD``.
NAME_BIRTH_DATE = "name_birth_date"

#: Hex characters kept of the HMAC-SHA256 digest (128 bits).
INDEX_HEX_LENGTH = 32

# Letters that NFKD does not take apart into a base letter and an accent.
_LETTERS = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th"}
)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class NormalizationError(ValueError):
    """A value has no normalized form of its kind; the message never repeats the value."""


def normalize(kind: str, value: object) -> str:
    """Return the one form of a value that its blind index is computed from.

    :raise NormalizationError: the value is empty or cannot be read as its kind.
    :raise ValueError: the kind is unknown.
    """
    try:
        normalizer = _NORMALIZERS[kind]
    except KeyError:
        raise ValueError(f"unknown blind index kind: {kind!r}") from None
    if kind != NAME_BIRTH_DATE and (not isinstance(value, str) or not value.strip()):
        raise NormalizationError(f"a {kind} is a non-empty string")
    return normalizer(value)


def blind_index(kind: str, value: object, key_ring: KeyRing) -> str:
    """Return the blind index of a value under the current key: store this one.

    Empty fields have no index: store NULL for them rather than calling this.

    :raise NormalizationError: see :func:`normalize`.
    """
    return keyed_digest(key_ring.blind_index_key(key_ring.current_id), kind, normalize(kind, value))


def candidate_indexes(kind: str, value: object, key_ring: KeyRing) -> list[str]:
    """Return the value's index under every key of the ring, the current key's first.

    Look up with ``index IN (candidates)``: rows not yet re-indexed by a key rotation are
    still found.

    :raise NormalizationError: see :func:`normalize`.
    """
    normalized = normalize(kind, value)
    key_ids = [key_ring.current_id] + [k for k in key_ring.key_ids if k != key_ring.current_id]
    return [keyed_digest(key_ring.blind_index_key(key_id), kind, normalized) for key_id in key_ids]


def keyed_digest(key: bytes, kind: str, normalized: str) -> str:
    """Return the index of an already normalized value under one blind-index key."""
    message = f"{kind}\x00{normalized}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:INDEX_HEX_LENGTH]


def _national_number(text: str) -> str:
    # The written form of tracing_app.identifiers, so an index matches what forms store.
    try:
        return identifiers.canonical(identifiers.NATIONAL_NUMBER, text)
    except ValueError as exc:
        raise NormalizationError(str(exc)) from None


def _phone(text: str) -> str:
    try:
        return identifiers.canonical(identifiers.PHONE, text)
    except ValueError as exc:
        raise NormalizationError(str(exc)) from None


def _email(text: str) -> str:
    try:
        address = validate_email(text.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise NormalizationError("not an e-mail address") from None
    # Mailboxes are case-insensitive in practice, though the standard allows otherwise.
    return address.normalized.lower()


def normalize_name(text: str) -> str:
    """Fold a name for matching: no case, accents, spaces, hyphens or apostrophes.

    "Van den Bossche", "VANDEN-BOSSCHE" and "vandenbossche" match; so do "D'Hondt" and
    "Dhondt", and "Müller" and "Muller" (but not "Mueller").
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    return "".join(char for char in letters.translate(_LETTERS) if char.isalnum())


def _birth_date(value: object) -> str:
    if isinstance(value, datetime.datetime):
        raise NormalizationError("a birth date is a date, not a date and time")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return datetime.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise NormalizationError("a birth date is a date or YYYY-MM-DD")


def _name_birth_date(value: object) -> str:
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise NormalizationError("expected a (last name, birth date) pair")
    last_name, birth_date = value
    name = normalize_name(last_name) if isinstance(last_name, str) else ""
    if not name:
        raise NormalizationError("a last name needs at least one letter")
    return f"{name}|{_birth_date(birth_date)}"


_NORMALIZERS: dict[str, Callable[[object], str]] = {
    NATIONAL_NUMBER: _national_number,
    PHONE: _phone,
    EMAIL: _email,
    NAME_BIRTH_DATE: _name_birth_date,
}
#: Every kind of blind index, those registered by features included (a live, read-only view).
KINDS = _NORMALIZERS.keys()


def register_kind(kind: str, normalizer: Callable[[str], str]) -> None:
    """Add a kind of blind index: ``normalizer`` returns the one form of a non-empty string.

    It raises :class:`NormalizationError` (or ``ValueError``, turned into one) for a value
    that has no such form; its message must never repeat the value. Registering a kind
    again replaces its normalizer (a module imported twice in tests).
    """

    def checked(text: object) -> str:
        try:
            return normalizer(text)
        except NormalizationError:
            raise
        except ValueError as exc:
            raise NormalizationError(str(exc)) from None

    _NORMALIZERS[kind] = checked
