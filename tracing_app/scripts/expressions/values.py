"""XPath 1.0 values and conversions, with ODK's reading of dates as numbers of days.

A value is a ``str``, a ``float`` or a ``bool``. Answers are strings; a string that is
a date (``YYYY-MM-DD``) or a date-time (ISO 8601) converts to a number of days since
1970-01-01, as ODK does for date-typed answers.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

Value = str | float | bool

NAN = math.nan
INFINITY = math.inf
EPOCH = date(1970, 1, 1)
_EPOCH_ORDINAL = EPOCH.toordinal()
_XPATH_BLANKS = " \t\r\n"

_NUMBER = re.compile(r"[ \t\r\n]*(-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))[ \t\r\n]*")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})"
    r"(?::([0-9]{2})(\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?"
)
_TIME = re.compile(r"([0-9]{2}):([0-9]{2})(?::([0-9]{2})(\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?")


def to_boolean(value: Value) -> bool:
    """XPath ``boolean()``: non-empty strings and numbers other than 0 and NaN are true."""
    cls = value.__class__
    if cls is bool:
        return value  # type: ignore[return-value]
    if cls is str:
        return value != ""
    if cls is float:
        return not (value == 0 or value != value)
    return _fallback(to_boolean, value)


def to_number(value: Value) -> float:
    """XPath ``number()``, extended: dates and date-times become days since 1970-01-01."""
    cls = value.__class__
    if cls is float:
        return value  # type: ignore[return-value]
    if cls is str:
        return string_to_number(value)  # type: ignore[arg-type]
    if cls is bool:
        return 1.0 if value else 0.0
    return _fallback(to_number, value)


def to_string(value: Value) -> str:
    """XPath ``string()``: ``12``, ``12.5``, ``NaN``, ``Infinity``, ``true``, ``false``."""
    cls = value.__class__
    if cls is str:
        return value  # type: ignore[return-value]
    if cls is float:
        return number_to_string(value)  # type: ignore[arg-type]
    if cls is bool:
        return "true" if value else "false"
    return _fallback(to_string, value)


def _fallback(convert, value):
    """Tolerate what a lenient context may return: ``None`` as "", ints as floats."""
    if value is None:
        return convert("")
    if isinstance(value, int | float):
        return convert(float(value))
    if isinstance(value, str):
        return convert(str(value))
    raise TypeError(f"Not an expression value: {value!r}")


def string_to_number(text: str) -> float:
    """A string as a number: a decimal without exponent, a date or a date-time, else NaN."""
    match = _NUMBER.fullmatch(text)
    if match:
        return float(match.group(1))
    return date_to_days(text.strip(_XPATH_BLANKS))


def date_to_days(text: str) -> float:
    """Days since 1970-01-01 for ``YYYY-MM-DD`` or an ISO date-time (UTC), else NaN."""
    if len(text) < 10 or text[4:5] != "-":
        return NAN
    try:
        if len(text) == 10:
            if not DATE.fullmatch(text):
                return NAN
            return float(date.fromisoformat(text).toordinal() - _EPOCH_ORDINAL)
        moment = parse_datetime(text)
    except ValueError:  # a day or month out of range
        return NAN
    if moment is None:
        return NAN
    days = moment.date().toordinal() - _EPOCH_ORDINAL
    seconds = moment.hour * 3600 + moment.minute * 60 + moment.second
    return days + (seconds + moment.microsecond / 1e6) / 86400


def parse_datetime(text: str) -> datetime | None:
    """An ISO 8601 date-time as a naive UTC datetime (no offset means UTC), or None.

    :raise ValueError: when a field is out of range (``2024-02-30T10:00``).
    """
    match = _DATETIME.fullmatch(text)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micro = round(float(fraction) * 1e6) if fraction else 0
    moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
    shift = timedelta(microseconds=min(micro, 999_999))
    if offset and offset != "Z":
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        shift -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    try:
        return moment + shift
    except OverflowError:  # year 1 or 9999 shifted out of range
        raise ValueError(f"Date-time out of range: {text}") from None


def time_to_seconds(text: str) -> float | None:
    """Seconds since midnight for ``HH:MM[:SS[.fff]]`` (offset ignored), else None."""
    match = _TIME.fullmatch(text.strip(_XPATH_BLANKS))
    if not match:
        return None
    hours, minutes, seconds, fraction, _offset = match.groups()
    if int(hours) > 23 or int(minutes) > 59 or int(seconds or 0) > 59:
        return None
    return int(hours) * 3600 + int(minutes) * 60 + int(seconds or 0) + float(fraction or 0)


def days_to_date(days: float) -> str:
    """The ``YYYY-MM-DD`` date `days` (rounded down) after 1970-01-01, or "" if impossible."""
    if not math.isfinite(days):
        return ""
    try:
        return date.fromordinal(_EPOCH_ORDINAL + math.floor(days)).isoformat()
    except (ValueError, OverflowError):
        return ""


def number_to_string(number: float) -> str:
    """XPath's number-to-string: no exponent, no trailing ``.0``, ``-0`` as ``0``."""
    if number != number:
        return "NaN"
    if number in (INFINITY, -INFINITY):
        return "Infinity" if number > 0 else "-Infinity"
    if number.is_integer() and -1e16 < number < 1e16:
        return str(int(number))
    text = repr(number)
    if "e" in text:
        text = format(Decimal(text), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
