"""What an expression may read while it is evaluated."""

from __future__ import annotations

import datetime
from typing import Protocol


class EvaluationContext(Protocol):
    """The answers and clock an expression reads; implemented by the form engine."""

    def value(self, name: str) -> str:
        """``${name}``: the answer as stored, always a ``str`` ("" when empty)."""

    def current(self) -> str:
        """``.``: the answer of the question being checked."""

    def choice_label(self, name: str, value: str) -> str:
        """``jr:choice-name(value, '${name}')``: the label of choice `value` of field `name`."""

    def today(self) -> datetime.date:
        """The date ``today()`` returns."""

    def now(self) -> datetime.datetime:
        """The moment ``now()`` returns."""
