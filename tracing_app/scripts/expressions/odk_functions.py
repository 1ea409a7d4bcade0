"""The ODK XPath functions real forms use beyond the core: maths, dates, repeats, text.

Functions over repeats (``count``, ``sum``, ``max``, ``min``, ``join``,
``count-non-empty``) receive a ``${field}`` argument as the list of its answers in every
instance the question can see (`ANSWERS`); other arguments are plain values. The context
gives those lists (``instance_values(name)``), the instance number (``instance_position()``) and
``indexed-repeat`` lookups (``indexed_value``); a context without them (a test's dict)
counts one instance. docs/scripts.md, "Functions", lists them all.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import math
import random
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from .errors import ExpressionError
from .values import (
    EPOCH,
    Value,
    date_to_days,
    parse_datetime,
    time_to_seconds,
    to_number,
    to_string,
)

NAN = math.nan
MAX_UUID_LENGTH = 1_000
#: The algorithms ``digest()`` knows, by their ODK names.
DIGESTS = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}
#: ODK functions a call script cannot run, with the reason shown to the author.
REFUSED = {
    "pulldata": "it reads a file outside the form",
    "instance": "it reads a file outside the form",
    "jr:itext": "texts are looked up by language already",
    "distance": "a call has no locations",
    "area": "a call has no locations",
    "geofence": "a call has no locations",
    "random": "answers must not change between two saves",
    "randomize": "answers must not change between two saves",
    "current": "write ${name} or .",
    "last": "use indexed-repeat()",
    "version": "the version is the script's, not the form's",
    "property": "it reads the phone's properties",
    "checklist": "write count-selected() and a comparison",
    "weighted-checklist": "write if() and a sum",
}


class ANSWERS(list):
    """The answers of a ``${field}`` in every instance it can be seen in (a node-set)."""


def nodes(context: Any, name: str) -> ANSWERS:
    """The answers of ``${name}`` visible from the context (one when it cannot tell)."""
    values = getattr(context, "instance_values", None)
    return ANSWERS(values(name) if values else [context.value(name)])


def _flatten(arguments: tuple[Value | ANSWERS, ...]) -> Iterator[Value]:
    for argument in arguments:
        if isinstance(argument, ANSWERS):
            yield from argument
        else:
            yield argument


def _safe(function: Callable[..., float]) -> Callable[..., float]:
    """Wrap a math function: a domain error is NaN, an overflow is infinity (as in Java)."""

    def wrapped(context: Any, *values: Value) -> float:
        try:
            return float(function(*(to_number(value) for value in values)))
        except ValueError:
            return NAN
        except OverflowError:
            return math.inf

    return wrapped


def _pow(base: float, exponent: float) -> float:
    if base == 0 and exponent < 0:
        return math.inf
    result = base**exponent
    return NAN if isinstance(result, complex) else result


def _sum(context: Any, *arguments: Value | ANSWERS) -> float:
    return math.fsum(to_number(value) for value in _flatten(arguments))


def _extreme(choose: Callable[..., float]) -> Callable[..., float]:
    def extreme(context: Any, *arguments: Value | ANSWERS) -> float:
        numbers = [to_number(value) for value in _flatten(arguments)]
        if not numbers or any(number != number for number in numbers):
            return NAN
        return choose(numbers)

    return extreme


def _count(context: Any, argument: Value | ANSWERS) -> float:
    return float(len(argument)) if isinstance(argument, ANSWERS) else 1.0


def _count_non_empty(context: Any, argument: Value | ANSWERS) -> float:
    return float(sum(1 for value in _flatten((argument,)) if to_string(value) != ""))


def _join(context: Any, separator: Value | ANSWERS, *arguments: Value | ANSWERS) -> str:
    if isinstance(separator, ANSWERS):  # XPath: a node-set as a string is its first node
        separator = separator[0] if separator else ""
    return to_string(separator).join(to_string(value) for value in _flatten(arguments))


def _selected_at(context: Any, answer: Value, index: Value) -> str:
    words = to_string(answer).split()
    number = to_number(index)
    if number != number or not 0 <= number < len(words):
        return ""
    return words[int(number)]


def _translate(context: Any, value: Value, source: Value, target: Value) -> str:
    """XPath ``translate``: each character of source becomes the one at its place in target."""
    replacements = to_string(target)
    mapping: dict[str, str] = {}
    for position, character in enumerate(to_string(source)):
        if character not in mapping:
            mapping[character] = replacements[position] if position < len(replacements) else ""
    return "".join(mapping.get(character, character) for character in to_string(value))


def _substring_before(context: Any, value: Value, part: Value) -> str:
    text, separator = to_string(value), to_string(part)
    return text.partition(separator)[0] if separator and separator in text else ""


def _substring_after(context: Any, value: Value, part: Value) -> str:
    text, separator = to_string(value), to_string(part)
    if not separator:
        return text
    return text.partition(separator)[2] if separator in text else ""


def _boolean_from_string(context: Any, value: Value) -> bool:
    return to_string(value).strip() in ("true", "1")


def _uuid(context: Any, length: Value | None = None) -> str:
    if length is None:
        return str(uuid.uuid4())
    number = to_number(length)
    size = int(min(max(number, 0), MAX_UUID_LENGTH)) if number == number else 0
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return "".join(random.SystemRandom().choice(alphabet) for _ in range(size))


def _once(context: Any, value: Callable) -> Value:
    """The question's own answer once it has one, else the value (computed only then)."""
    current = context.current()
    return current if current else value(context)


def _position(context: Any) -> float:
    position = getattr(context, "instance_position", None)
    return float(position()) if position else 1.0


def _moment(value: Value) -> datetime.datetime | None:
    """A date, a date-time (as UTC) or a number of days as a datetime (None when none)."""
    if value.__class__ is str:
        text = value.strip(" \t\r\n")  # type: ignore[union-attr]
        try:
            moment = parse_datetime(text) if len(text) > 10 else None
        except ValueError:
            return None
        if moment is not None:
            return moment
    days = to_number(value)
    if not math.isfinite(days):
        return None
    try:
        return datetime.datetime(EPOCH.year, EPOCH.month, EPOCH.day) + datetime.timedelta(days=days)
    except OverflowError:
        return None


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _format_date(context: Any, value: Value, pattern: Value) -> str:
    """ODK's ``format-date``: %Y %y %m %n %b %d %e %a %H %h %M %S %3, English names."""
    moment = _moment(value)
    if moment is None:
        return ""
    fields = {
        "Y": f"{moment.year:04d}",
        "y": f"{moment.year % 100:02d}",
        "m": f"{moment.month:02d}",
        "n": str(moment.month),
        "b": _MONTHS[moment.month - 1],
        "d": f"{moment.day:02d}",
        "e": str(moment.day),
        "a": _DAYS[moment.weekday()],
        "H": f"{moment.hour:02d}",
        "h": str(moment.hour),
        "M": f"{moment.minute:02d}",
        "S": f"{moment.second:02d}",
        "3": f"{moment.microsecond // 1000:03d}",
    }
    text, out, index = to_string(pattern), [], 0
    while index < len(text):
        if text[index] == "%" and index + 1 < len(text):
            out.append(fields.get(text[index + 1], text[index + 1]))
            index += 2
        else:
            out.append(text[index])
            index += 1
    return "".join(out)


def _decimal_date_time(context: Any, value: Value) -> float:
    return date_to_days(to_string(value).strip())


def _decimal_time(context: Any, value: Value) -> float:
    seconds = time_to_seconds(to_string(value))
    return NAN if seconds is None else seconds / 86_400


def _date_time(context: Any, value: Value) -> str:
    moment = _moment(value)
    return moment.isoformat(timespec="milliseconds") if moment else ""


def _digest(context: Any, value: Value, algorithm: Value, encoding: Value = "base64") -> str:
    name = DIGESTS.get(to_string(algorithm).upper())
    if name is None:
        raise ExpressionError(f"digest() knows {', '.join(DIGESTS)}, not {to_string(algorithm)!r}")
    digest = hashlib.new(name, to_string(value).encode()).digest()
    if to_string(encoding).lower() == "hex":
        return digest.hex()
    return base64.b64encode(digest).decode()


def indexed_repeat(context: Any, field: str, pairs: list[tuple[str, Value]]) -> str:
    lookup = getattr(context, "indexed_value", None)
    if lookup is None:
        return context.value(field)
    return lookup(field, [(repeat, to_number(index)) for repeat, index in pairs])


def specifications() -> list[tuple[str, int, int | None, str, Callable[..., Value], str]]:
    """(name, min, max, result type, implementation, kind) of each function here.

    ``kind`` is ``""``, ``"lazy"`` (arguments as thunks) or ``"answers"`` (``${field}``
    arguments as `ANSWERS`).
    """
    number, string, boolean = "number", "string", "boolean"
    maths = [
        ("sqrt", 1, math.sqrt),
        ("exp", 1, math.exp),
        ("exp10", 1, lambda x: 10.0**x),
        ("log", 1, math.log),
        ("log10", 1, math.log10),
        ("abs", 1, abs),
        ("floor", 1, math.floor),
        ("ceiling", 1, math.ceil),
        ("sin", 1, math.sin),
        ("cos", 1, math.cos),
        ("tan", 1, math.tan),
        ("asin", 1, math.asin),
        ("acos", 1, math.acos),
        ("atan", 1, math.atan),
        ("atan2", 2, math.atan2),
        ("pow", 2, _pow),
        ("pi", 0, lambda: math.pi),
    ]
    return [
        *((name, count, count, number, _safe(function), "") for name, count, function in maths),
        ("count", 1, 1, number, _count, "answers"),
        ("count-non-empty", 1, 1, number, _count_non_empty, "answers"),
        ("sum", 1, 1, number, _sum, "answers"),
        ("max", 1, None, number, _extreme(max), "answers"),
        ("min", 1, None, number, _extreme(min), "answers"),
        ("join", 2, None, string, _join, "answers"),
        ("selected-at", 2, 2, string, _selected_at, ""),
        ("boolean-from-string", 1, 1, boolean, _boolean_from_string, ""),
        ("normalize-space", 1, 1, string, lambda c, v: " ".join(to_string(v).split()), ""),
        ("translate", 3, 3, string, _translate, ""),
        ("ends-with", 2, 2, boolean, lambda c, a, b: to_string(a).endswith(to_string(b)), ""),
        ("substring-before", 2, 2, string, _substring_before, ""),
        ("substring-after", 2, 2, string, _substring_after, ""),
        ("format-date", 2, 2, string, _format_date, ""),
        ("format-date-time", 2, 2, string, _format_date, ""),
        ("decimal-date-time", 1, 1, number, _decimal_date_time, ""),
        ("decimal-time", 1, 1, number, _decimal_time, ""),
        ("date-time", 1, 1, string, _date_time, ""),
        ("digest", 2, 3, string, _digest, ""),
        ("uuid", 0, 1, string, _uuid, ""),
        ("once", 1, 1, "any", _once, "lazy"),
        ("position", 0, 0, number, _position, ""),
    ]


__all__ = ["ANSWERS", "DIGESTS", "REFUSED", "nodes", "specifications"]
