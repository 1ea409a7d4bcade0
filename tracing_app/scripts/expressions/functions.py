"""The functions of the language: their arity, result type and implementation.

Each implementation receives the evaluation context and the argument values; the lazy
ones (``if``, ``coalesce``) receive argument thunks and evaluate only what they need.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from . import odk_functions, regexes
from .values import (
    Value,
    days_to_date,
    parse_datetime,
    to_boolean,
    to_number,
    to_string,
)

STRING, NUMBER, BOOLEAN, ANY = "string", "number", "boolean", "any"


@dataclass(frozen=True, slots=True)
class Function:
    """A function's contract: ``min_args``..``max_args`` (None: no upper bound)."""

    name: str
    min_args: int
    max_args: int | None
    result: str
    implementation: Callable[..., Value]
    lazy: bool = False
    #: ``${field}`` arguments arrive as the list of its answers (`odk_functions.ANSWERS`).
    answers: bool = False

    def arity_problem(self, count: int) -> str | None:
        """The error message when called with `count` arguments, else None."""
        if self.min_args <= count and (self.max_args is None or count <= self.max_args):
            return None
        if self.max_args is None:
            expected = f"at least {self.min_args}"
        elif self.max_args == self.min_args:
            expected = str(self.min_args)
        elif self.max_args == self.min_args + 1:
            expected = f"{self.min_args} or {self.max_args}"
        else:
            expected = f"{self.min_args} to {self.max_args}"
        noun = "argument" if expected in ("1", "at least 1") else "arguments"
        return f"{self.name}() takes {expected} {noun}, not {count}"


def _if(context: Any, condition: Callable, then: Callable, otherwise: Callable) -> Value:
    return then(context) if to_boolean(condition(context)) else otherwise(context)


def _coalesce(context: Any, first: Callable, second: Callable) -> Value:
    value = first(context)
    return value if to_string(value) else second(context)


def _selected(context: Any, answer: Value, choice: Value) -> bool:
    return to_string(choice).strip() in to_string(answer).split()


def _substr(context: Any, value: Value, start: Value, end: Value | None = None) -> str:
    """ODK's ``substr``: 0-based, end exclusive, negative indexes count from the end."""
    text = to_string(value)
    length = len(text)
    first = _index(to_number(start), length)
    last = length if end is None else _index(to_number(end), length)
    if first < 0:
        first += length
    if last < 0:
        last += length
    return text[max(first, 0) : max(last, 0)]


def _index(number: float, length: int) -> int:
    if number != number:
        return 0  # Java's (int) NaN
    return int(max(-length - 1, min(number, length + 1)))


def _int(context: Any, value: Value) -> float:
    number = to_number(value)
    return float(math.trunc(number)) if math.isfinite(number) else number


def _round(context: Any, value: Value, digits: Value = 0.0) -> float:
    """Round half away from zero, on the shortest decimal form (JavaRosa's BigDecimal)."""
    number, places = to_number(value), to_number(digits)
    if not math.isfinite(number):
        return number
    places = int(places) if math.isfinite(places) else 0
    places = max(-400, min(places, 400))
    with localcontext() as decimal_context:
        decimal_context.prec = 1000
        rounded = Decimal(repr(number)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return float(rounded)


def _date(context: Any, value: Value) -> str:
    """A date string from days since 1970-01-01, a date or a date-time ("" if none)."""
    if value.__class__ is str:
        text = value.strip(" \t\r\n")  # type: ignore[union-attr]
        try:
            if len(text) > 10 and parse_datetime(text) is not None:
                return text[:10]  # the date as written, before any UTC conversion
        except ValueError:
            return ""
    number = to_number(value)
    return days_to_date(number)


def _choice_name(context: Any, value: Value, field: Value) -> str:
    # The parser has checked that `field` is a literal '${name}'.
    name = to_string(field).strip()[2:-1]
    return context.choice_label(name, to_string(value))


_FUNCTIONS = [
    Function("if", 3, 3, ANY, _if, lazy=True),
    Function("coalesce", 2, 2, ANY, _coalesce, lazy=True),
    Function("selected", 2, 2, BOOLEAN, _selected),
    Function("count-selected", 1, 1, NUMBER, lambda c, v: float(len(to_string(v).split()))),
    Function("concat", 1, None, STRING, lambda c, *vs: "".join(map(to_string, vs))),
    Function("regex", 2, 2, BOOLEAN, lambda c, v, p: regexes.matches(to_string(p), to_string(v))),
    Function("string-length", 1, 1, NUMBER, lambda c, v: float(len(to_string(v)))),
    Function("substr", 2, 3, STRING, _substr),
    Function("contains", 2, 2, BOOLEAN, lambda c, a, b: to_string(b) in to_string(a)),
    Function("starts-with", 2, 2, BOOLEAN, lambda c, a, b: to_string(a).startswith(to_string(b))),
    Function("not", 1, 1, BOOLEAN, lambda c, v: not to_boolean(v)),
    Function("true", 0, 0, BOOLEAN, lambda c: True),
    Function("false", 0, 0, BOOLEAN, lambda c: False),
    Function("boolean", 1, 1, BOOLEAN, lambda c, v: to_boolean(v)),
    Function("number", 1, 1, NUMBER, lambda c, v: to_number(v)),
    Function("string", 1, 1, STRING, lambda c, v: to_string(v)),
    Function("int", 1, 1, NUMBER, _int),
    Function("round", 1, 2, NUMBER, _round),
    Function("today", 0, 0, STRING, lambda c: c.today().isoformat()),
    Function("now", 0, 0, STRING, lambda c: c.now().isoformat(timespec="milliseconds")),
    Function("date", 1, 1, STRING, _date),
    Function("jr:choice-name", 2, 2, STRING, _choice_name),
    # indexed-repeat(${field}, ${repeat}, n[, ${inner}, m]): compiled apart (names, not values).
    Function("indexed-repeat", 3, None, STRING, odk_functions.indexed_repeat),
    *(
        Function(name, low, high, result, implementation, kind == "lazy", kind == "answers")
        for name, low, high, result, implementation, kind in odk_functions.specifications()
    ),
]
FUNCTIONS: dict[str, Function] = {function.name: function for function in _FUNCTIONS}
