r"""``regex()`` without catastrophic backtracking, as far as a heuristic can promise.

Python's `re` has no time limit, so patterns are checked before use: at most
`MAX_PATTERN` characters, and no repeated group that itself contains a repetition
(``(a+)+``, ``(\w*\s?)*``: "star height" above one, the classic exponential case).
Values longer than `MAX_SUBJECT` characters do not match, which bounds the polynomial
cases. Like JavaRosa's ``Matcher.find()`` the pattern may match anywhere in the value;
``\d`` and ``\w`` are ASCII-only, as in Java and JavaScript.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .errors import ExpressionError

MAX_PATTERN = 500
MAX_SUBJECT = 1_000
_COUNTED = re.compile(r"\{([0-9]*)(?:(,)([0-9]*))?\}")


@lru_cache(maxsize=512)
def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Check and compile a ``regex()`` pattern.

    :raise ExpressionError: when the pattern is too long, risky or invalid.
    """
    if len(pattern) > MAX_PATTERN:
        raise ExpressionError(f"Regular expression is longer than {MAX_PATTERN} characters")
    if has_nested_repetition(pattern):
        raise ExpressionError(
            "Regular expression repeats a group that contains a repetition; "
            "it could take forever on some answers"
        )
    try:
        return re.compile(pattern, re.ASCII)
    except re.error as error:
        raise ExpressionError(f"Invalid regular expression: {error}") from None


def matches(pattern: str, value: str) -> bool:
    """Whether `pattern` matches somewhere in `value` (false for over-long values)."""
    compiled = compile_pattern(pattern)
    return len(value) <= MAX_SUBJECT and compiled.search(value) is not None


def has_nested_repetition(pattern: str) -> bool:
    r"""Whether a group containing a variable repetition is itself variably repeated.

    Variable repetitions are ``*``, ``+``, ``{n,}`` and ``{n,m}`` with m > n; an exact
    count such as ``(\d{3}){2}`` is safe and allowed.
    """
    contains = [False]  # per open group: does it contain a variable repetition?
    closed_group: bool | None = None  # the group just closed, if the last atom was one
    index, length = 0, len(pattern)
    while index < length:
        char = pattern[index]
        size, variable = _quantifier(pattern, index)
        if size:
            if variable:
                if closed_group:
                    return True
                contains[-1] = True
            index += size
            closed_group = None
            continue
        closed_group = None
        if char == "\\":
            index += 2
            continue
        if char == "[":
            index = _class_end(pattern, index)
            continue
        if char == "(":
            contains.append(False)
            if pattern.startswith("(?", index):
                index += 1  # "(?:", "(?=", ... : that "?" is not a quantifier
        elif char == ")" and len(contains) > 1:
            closed_group = contains.pop()
            contains[-1] = contains[-1] or closed_group
        index += 1
    return False


def _quantifier(pattern: str, index: int) -> tuple[int, bool]:
    """The length of a quantifier at `index` (0 if none) and whether its count varies."""
    char = pattern[index]
    if char in "*+":
        return 1, True
    if char == "?":
        return 1, False
    if char == "{":
        match = _COUNTED.match(pattern, index)
        if match:
            low, comma, high = match.groups()
            variable = bool(comma) and (not high or int(high) > int(low or 0))
            return match.end() - index, variable
    return 0, False


def _class_end(pattern: str, index: int) -> int:
    """The index after the character class ``[...]`` starting at `index`."""
    index += 1
    if pattern.startswith("^", index):
        index += 1
    if pattern.startswith("]", index):
        index += 1
    while index < len(pattern) and pattern[index] != "]":
        index += 2 if pattern[index] == "\\" else 1
    return index + 1
