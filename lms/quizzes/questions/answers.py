"""Accepted answers of numeric and short-text questions, and how responses are read."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "NumericAnswer",
    "NumericRange",
    "TextAnswer",
    "normalize_text",
    "parse_number",
]

ONE = Decimal(1)
ZERO = Decimal(0)

#: Longer "numbers" are not numbers a learner typed; refusing them bounds the arithmetic.
MAX_NUMBER_LENGTH = 40

# Plain decimals only: no exponents, no thousands separators ("1.000" would be ambiguous).
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)")


def parse_number(text: str) -> Decimal | None:
    """Return the number in ``text``, or None when it is not a plain decimal number.

    A comma is a decimal separator like a point (``3,14``); the Unicode minus sign counts
    as a minus. Surrounding whitespace is ignored.
    """
    text = text.strip().replace("\N{MINUS SIGN}", "-")
    if len(text) > MAX_NUMBER_LENGTH or not _NUMBER.fullmatch(text):
        return None
    return Decimal(text.replace(",", "."))


def normalize_text(text: str, *, ignore_case: bool, ignore_accents: bool) -> str:
    """Return ``text`` trimmed, with whitespace collapsed, for comparing answers.

    :param ignore_case: fold case (``Straße`` matches ``STRASSE``).
    :param ignore_accents: drop accents (``één`` matches ``een``).
    """
    text = unicodedata.normalize("NFC", " ".join(text.split()))
    if ignore_accents:
        decomposed = unicodedata.normalize("NFD", text)
        text = unicodedata.normalize(
            "NFC", "".join(char for char in decomposed if not unicodedata.combining(char))
        )
    return text.casefold() if ignore_case else text


@dataclass(frozen=True)
class NumericAnswer:
    """An accepted number: ``value`` ± ``tolerance``, absolute (GIFT ``#3.14:0.01``)."""

    id: str
    value: Decimal
    tolerance: Decimal = ZERO
    fraction: Decimal = ONE
    feedback: str = ""

    def __post_init__(self) -> None:
        if self.tolerance < 0:
            raise ValueError("a tolerance cannot be negative")

    def accepts(self, number: Decimal) -> bool:
        """Whether ``number`` lies within the tolerance of the value."""
        return abs(number - self.value) <= self.tolerance


@dataclass(frozen=True)
class NumericRange:
    """An accepted range of numbers, bounds included (GIFT ``#1..5``)."""

    id: str
    minimum: Decimal
    maximum: Decimal
    fraction: Decimal = ONE
    feedback: str = ""

    def __post_init__(self) -> None:
        if self.minimum > self.maximum:
            raise ValueError("a range's minimum exceeds its maximum")

    def accepts(self, number: Decimal) -> bool:
        """Whether ``number`` lies in the range."""
        return self.minimum <= number <= self.maximum


@dataclass(frozen=True)
class TextAnswer:
    """An accepted text of a short-text question."""

    id: str
    text: str
    fraction: Decimal = ONE
    feedback: str = ""
