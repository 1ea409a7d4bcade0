"""Real-world identifiers: the one set of rules for checking them and storing them.

The call script, the ticket form, the call-order importer (CSV/JSON, CLI and web) and the
call-orders API all check identifiers here, so a value refused by one is refused by all
(``tests/tracing_app/test_identifiers_agree.py`` proves it). Each kind has one normalized
form, so answers compare and search reliably: a national register number as 11 digits,
a phone number in E.164 (``+32470123456``), an e-mail address as ``email-validator``
normalizes it, a postcode as 4 digits, a date as ``YYYY-MM-DD``. The blind indexes of
tickets are computed from :func:`canonical`, the same written form without the checks.
"""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from stdnum.be import nn
from stdnum.exceptions import ValidationError

from content.i18n import _

NATIONAL_NUMBER = "national_number"
PHONE = "phone"
EMAIL = "email"
POSTCODE = "postcode"
DATE = "date"
BIRTH_DATE = "birth_date"

#: Every kind :func:`validate` knows.
KINDS = frozenset({NATIONAL_NUMBER, PHONE, EMAIL, POSTCODE, DATE, BIRTH_DATE})

#: Phone numbers written without a country code are Belgian.
DEFAULT_PHONE_REGION = "BE"

#: Nobody who is alive was born before this year; older dates are typing errors.
EARLIEST_BIRTH_YEAR = 1900

_POSTCODE = re.compile(r"\d{4}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def validate(kind: str, value: str, *, today: datetime.date) -> tuple[str, str | None]:
    """Check an answer of the given kind and return it normalized.

    :param kind: one of :data:`KINDS`.
    :param value: the answer as typed; surrounding spaces are ignored.
    :param today: the date that decides what is "in the future".
    :return: ``(normalized, None)`` when valid, else ``(value stripped, translated message)``.
        An empty answer is valid: whether one is required is the form's business.
    :raise ValueError: for an unknown kind.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown identifier kind: {kind!r}")
    text = value.strip()
    if not text:
        return "", None
    return _VALIDATORS[kind](text, today)


def local_today() -> datetime.date:
    """Return today's date in the site's time zone (what "in the future" is judged by)."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.datetime.now(zone).date()


def birth_date_matches(national_number: str, birth_date: datetime.date) -> bool:
    """Return whether a valid national number agrees with a birth date.

    Numbers of people whose birth date is unknown carry none: nothing to compare.
    """
    encoded = nn.get_birth_date(national_number)
    return encoded is None or encoded == birth_date


def canonical(kind: str, value: str) -> str:
    """Return the written form of a national number or phone number, without judging it.

    A valid value's canonical form is what :func:`validate` returns; blind indexes use this
    so that values stored before these checks existed are still found.

    :raise ValueError: the value cannot be read as its kind at all.
    """
    text = value.strip()
    if kind == NATIONAL_NUMBER:
        number = nn.compact(text)
        if not number or not number.isascii() or not number.isdigit():
            raise ValueError("a national register number has digits only")
        return number
    if kind == PHONE:
        try:
            number = phonenumbers.parse(text, DEFAULT_PHONE_REGION)
        except phonenumbers.NumberParseException:
            raise ValueError("not a phone number") from None
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    raise ValueError(f"no canonical form for {kind!r}")


def _national_number(text: str, today: datetime.date) -> tuple[str, str | None]:
    try:
        number = nn.validate(text)
        birth_date = nn.get_birth_date(number)
    except ValidationError:
        return text, _("This is not a valid national register number.")
    if birth_date is not None and birth_date > today:
        return text, _("This is not a valid national register number.")
    return number, None


def _phone(text: str, today: datetime.date) -> tuple[str, str | None]:
    try:
        number = phonenumbers.parse(text, DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException:
        return text, _("This is not a valid phone number.")
    if not phonenumbers.is_possible_number(number) or not phonenumbers.is_valid_number(number):
        return text, _("This is not a valid phone number.")
    return canonical(PHONE, text), None


def _email(text: str, today: datetime.date) -> tuple[str, str | None]:
    try:
        address = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return text, _("This is not a valid e-mail address.")
    return address.normalized, None


def _postcode(text: str, today: datetime.date) -> tuple[str, str | None]:
    # The numeric range is the rule; a list of existing postcodes would need upkeep.
    if not _POSTCODE.fullmatch(text) or int(text) < 1000:
        return text, _("A Belgian postcode has 4 digits, from 1000 to 9999.")
    return text, None


def _date(text: str, today: datetime.date) -> tuple[str, str | None]:
    if _parse_date(text) is None:
        return text, _("Enter a date as YYYY-MM-DD.")
    return text, None


def _birth_date(text: str, today: datetime.date) -> tuple[str, str | None]:
    date = _parse_date(text)
    if date is None:
        return text, _("Enter a date as YYYY-MM-DD.")
    if date > today:
        return text, _("A date of birth cannot be in the future.")
    if date.year < EARLIEST_BIRTH_YEAR:
        return text, _("A date of birth cannot be before %(year)s.", year=EARLIEST_BIRTH_YEAR)
    return text, None


def _parse_date(text: str) -> datetime.date | None:
    """Return the date written as ``YYYY-MM-DD`` (the only form answers are stored in)."""
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


_VALIDATORS = {
    NATIONAL_NUMBER: _national_number,
    PHONE: _phone,
    EMAIL: _email,
    POSTCODE: _postcode,
    DATE: _date,
    BIRTH_DATE: _birth_date,
}
