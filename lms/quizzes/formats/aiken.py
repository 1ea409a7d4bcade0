"""Import single-choice questions from the Aiken format.

::

    Hoelang duurt de quarantaine van een hoogrisicocontact?
    A. 5 dagen
    B) 10 dagen
    ANSWER: B

A question is text lines, then options ``A.`` or ``A)`` (a capital letter, then a point
or a bracket and a space), then ``ANSWER: <letter>``. Blank lines are optional. Every
problem is collected; when there is one, nothing is imported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from content.i18n import _l
from lms.quizzes.formats.problems import Problem, QuestionImportError
from lms.quizzes.questions.answers import ONE, ZERO
from lms.quizzes.questions.types import Choice, SingleChoiceQuestion, option_ids

__all__ = ["parse_aiken"]

_OPTION = re.compile(r"([A-Z])[.)](?:\s+(.*))?")
_ANSWER = re.compile(r"ANSWER\s*:\s*(.*)", re.IGNORECASE)
_NAME_LENGTH = 40


@dataclass
class _Draft:
    """A question being read: where it starts, its text lines and its options."""

    line: int
    text: list[str] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)
    broken: bool = False


class _AikenParser:
    """Reads Aiken text line by line, collecting problems."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.questions: list[SingleChoiceQuestion] = []
        self.draft: _Draft | None = None

    def problem(self, line: int, code: str, message) -> None:
        """Note a problem; the current question will not be imported."""
        self.problems.append(Problem(line, code, message))
        if self.draft is not None:
            self.draft.broken = True

    def read(self, number: int, line: str) -> None:
        """Read one non-blank, stripped line."""
        if answer := _ANSWER.fullmatch(line):
            self.answer(number, answer[1].strip())
        elif option := _OPTION.fullmatch(line):
            self.option(number, option[1], (option[2] or "").strip())
        elif self.draft is None:
            self.draft = _Draft(number, [line])
        elif not self.draft.options:
            self.draft.text.append(line)
        else:
            self.missing_answer()
            self.draft = _Draft(number, [line])

    def missing_answer(self) -> None:
        """The current question ended without an ``ANSWER:`` line."""
        message = _l("The question has no ANSWER: line after its options.")
        self.problem(self.draft.line, "missing-answer", message)

    def option(self, number: int, letter: str, text: str) -> None:
        """An option line ``A. text`` of the current question."""
        if self.draft is None:
            self.draft = _Draft(number)
            self.problem(number, "missing-question", _l("Options come after a question."))
        if letter in self.draft.options:
            message = _l("The letter %(letter)s is used twice.", letter=letter)
            self.problem(number, "duplicate-letter", message)
        elif not text:
            self.problem(
                number, "empty-option", _l("The option %(letter)s is empty.", letter=letter)
            )
        self.draft.options.setdefault(letter, text)

    def answer(self, number: int, letter: str) -> None:
        """The ``ANSWER:`` line ends the current question."""
        draft = self.draft
        if draft is None:
            message = _l("ANSWER: comes after a question and its options.")
            self.problem(number, "missing-question", message)
            return
        if len(draft.options) < 2:
            self.problem(draft.line, "too-few-options", _l("A question needs two options or more."))
        if letter.upper() not in draft.options:
            message = _l("The answer %(letter)s is not among the options.", letter=letter)
            self.problem(number, "unknown-answer", message)
        self.draft = None
        if not draft.broken:
            self.questions.append(_question(draft, letter.upper()))


def _question(draft: _Draft, answer: str) -> SingleChoiceQuestion:
    text = "\n".join(draft.text)
    ids = option_ids(draft.options.values())
    options = tuple(
        Choice(option_id, option_text, ONE if letter == answer else ZERO)
        for option_id, (letter, option_text) in zip(ids, draft.options.items(), strict=True)
    )
    name = " ".join(text.split())[:_NAME_LENGTH]
    return SingleChoiceQuestion(name=name, text=text, options=options)


def parse_aiken(text: str) -> list[SingleChoiceQuestion]:
    """Return the questions of an Aiken file, in file order.

    :raise QuestionImportError: with every problem found; then nothing is imported.
    """
    parser = _AikenParser()
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            parser.read(number, line.strip())
    if parser.draft is not None:
        parser.missing_answer()
    if parser.problems:
        raise QuestionImportError(parser.problems)
    return parser.questions
