"""The binary operators on values: XPath 1.0 comparison and arithmetic rules.

One ODK-minded extension: ``<``, ``<=``, ``>``, ``>=`` between two time strings
(``HH:MM[:SS]``) compare the times, where XPath would compare two NaNs. Dates need no
special case: they already convert to numbers of days.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

from .values import NAN, Value, time_to_seconds, to_boolean, to_number

BinaryFunction = Callable[[Value, Value], Value]


def equals(left: Value, right: Value) -> bool:
    """``=``: as booleans if either is one, else as numbers if either is one, else strings."""
    if left.__class__ is bool or right.__class__ is bool:
        return to_boolean(left) == to_boolean(right)
    if left.__class__ is float or right.__class__ is float:
        return to_number(left) == to_number(right)
    return left == right


def not_equals(left: Value, right: Value) -> bool:
    """``!=``: the same conversions as `equals`; NaN differs from everything, itself too."""
    if left.__class__ is bool or right.__class__ is bool:
        return to_boolean(left) != to_boolean(right)
    if left.__class__ is float or right.__class__ is float:
        return to_number(left) != to_number(right)
    return left != right


def _ordered(compare: Callable[[float, float], bool]) -> BinaryFunction:
    def relational(left: Value, right: Value) -> bool:
        if left.__class__ is str and right.__class__ is str:
            left_time = time_to_seconds(left)  # type: ignore[arg-type]
            if left_time is not None:
                right_time = time_to_seconds(right)  # type: ignore[arg-type]
                if right_time is not None:
                    return compare(left_time, right_time)
        return compare(to_number(left), to_number(right))

    return relational


def divide(left: float, right: float) -> float:
    """IEEE division: ``1 div 0`` is Infinity, ``0 div 0`` is NaN."""
    if right == 0:
        if left == 0 or left != left:
            return NAN
        return math.copysign(math.inf, left) * math.copysign(1.0, right)
    return left / right


def modulo(left: float, right: float) -> float:
    """``mod``: the remainder with the sign of the dividend (``-5 mod 3`` is -2)."""
    if right == 0 or math.isinf(left) or left != left or right != right:
        return NAN
    return math.fmod(left, right)


def _numeric(function: Callable[[float, float], float]) -> BinaryFunction:
    def arithmetic(left: Value, right: Value) -> float:
        return function(to_number(left), to_number(right))

    return arithmetic


# On values of any type, converting as XPath says.
VALUE_FUNCTIONS: dict[str, BinaryFunction] = {
    "=": equals,
    "!=": not_equals,
    "<": _ordered(operator.lt),
    "<=": _ordered(operator.le),
    ">": _ordered(operator.gt),
    ">=": _ordered(operator.ge),
    "+": _numeric(operator.add),
    "-": _numeric(operator.sub),
    "*": _numeric(operator.mul),
    "div": _numeric(divide),
    "mod": _numeric(modulo),
}

# On operands the compiler has already converted to one type (numbers; booleans or
# strings for "=" and "!=").
SAME_TYPE_FUNCTIONS: dict[str, Callable[[Any, Any], Value]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "div": divide,
    "mod": modulo,
}

COMPARISONS = frozenset({"=", "!=", "<", "<=", ">", ">="})
