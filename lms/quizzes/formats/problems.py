"""Problems found while importing questions, reported all at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["Problem", "QuestionImportError"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an imported file.

    :param line: 1-based line number in the file.
    :param code: stable identifier, e.g. ``"missing-answer"`` (for tests and programs).
    :param message: what is wrong, for people: a lazy translatable string, so that parsing
        needs no app context; ``str()`` it where a locale is known.
    """

    line: int
    code: str
    message: Any

    def __str__(self) -> str:
        return f"{self.line}: {self.message}"


class QuestionImportError(Exception):
    """The file has problems; nothing was imported.

    :param problems: every problem found, in line order.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems, key=lambda problem: problem.line)
        # Codes, not messages: an exception's text is for logs, where no locale applies.
        summary = ", ".join(f"line {p.line}: {p.code}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in the questions: {summary}")
