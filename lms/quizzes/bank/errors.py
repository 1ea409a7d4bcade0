"""The bank's refusal: one exception for the views and the command to show beside a field."""

from __future__ import annotations


class BankError(ValueError):
    """A change the bank refuses; ``message`` is for people, ``field`` names the form field."""

    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
