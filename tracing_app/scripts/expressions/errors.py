"""The two errors of the expression language: syntax errors and runtime errors."""

from __future__ import annotations


class ExpressionError(Exception):
    """An expression could not be evaluated (or parsed: see `ExpressionSyntaxError`).

    :param message: short English text for the form author, without the position.
    :param position: 0-based character offset in the source, or ``None`` when unknown.
    """

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message, position)
        self.message = message
        self.position = position

    def __str__(self) -> str:
        if self.position is None:
            return self.message
        # "Invalid reference; write ${name}" -> "Invalid reference at position 3; write ${name}"
        problem, separator, hint = self.message.partition("; ")
        return f"{problem} at position {self.position}{separator}{hint}"


class ExpressionSyntaxError(ExpressionError):
    """The text is not a valid expression; `position` points at the offending token."""

    position: int

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message, position)

    def caret(self, text: str) -> str:
        """The source line with a ``^`` under the offending position, for terminal output.

        :param text: the expression that failed to parse.
        :return: two lines: ``text`` (newlines shown as spaces) and the caret line.
        """
        line = text.replace("\r", " ").replace("\n", " ").replace("\t", " ")
        return f"{line}\n{' ' * min(self.position, len(line))}^"
