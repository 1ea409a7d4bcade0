"""Question definitions: the structure of each question type, without a database.

A question holds its texts in one language (translations will be linked items). Only
``public_view()`` may reach a learner before they submit: it never holds fractions,
feedback, correctness or accepted answers. Grading lives in :mod:`lms.quizzes.questions.grading`.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

from lms.quizzes.questions.answers import (
    ONE,
    ZERO,
    NumericAnswer,
    NumericRange,
    TextAnswer,
    normalize_text,
)

__all__ = [
    "Choice",
    "MatchPair",
    "MatchingQuestion",
    "MultipleChoiceQuestion",
    "NumericQuestion",
    "Question",
    "Scoring",
    "ShortTextQuestion",
    "SingleChoiceQuestion",
    "TrueFalseQuestion",
    "option_ids",
]


def option_ids(texts: Iterable[str]) -> tuple[str, ...]:
    """Return an opaque, stable id for each option text.

    Ids come from a hash of the text, not from its position: authors often put the right
    answer first, and an id must not tell a learner where it was. Equal texts get the
    suffixes ``-2``, ``-3``… in order.
    """
    ids, seen = [], {}
    for text in texts:
        base = hashlib.sha256(text.encode()).hexdigest()[:10]
        seen[base] = seen.get(base, 0) + 1
        ids.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return tuple(ids)


def _unique(ids: Iterable[str], what: str) -> None:
    """Raise ValueError when ``ids`` is empty or repeats an id."""
    ids = list(ids)
    if not ids:
        raise ValueError(f"a question needs at least one {what}")
    if len(set(ids)) != len(ids):
        raise ValueError(f"{what} ids must be unique: {ids}")


@dataclass(frozen=True, kw_only=True)
class Question:
    """What every question has: a name, a Markdown text, general feedback and a mark.

    :param name: the author's title; never shown to learners (titles give answers away).
    :param mark: the points for a fully right answer.
    :param category: the GIFT ``$CATEGORY`` path the question was imported under.
    """

    kind: ClassVar[str] = "question"

    name: str
    text: str
    general_feedback: str = ""
    mark: Decimal = ONE
    category: str | None = None

    def __post_init__(self) -> None:
        if self.mark < 0:
            raise ValueError("a mark cannot be negative")

    def public_view(self, rng: random.Random | None = None) -> dict[str, Any]:
        """Return what a learner may see before submitting, as JSON-able values.

        :param rng: shuffles options of questions that ask for it; seed it per attempt so
            a reload shows the same order.
        """
        return {"type": self.kind, "text": self.text, "mark": str(self.mark)}

    def feedback_text(self, feedback_id: str) -> str:
        """Return the feedback a grade refers to by id (empty when there is none)."""
        return ""


@dataclass(frozen=True)
class Choice:
    """One option of a choice question; ``fraction`` is its credit, from -1 to 1."""

    id: str
    text: str
    fraction: Decimal = ZERO
    feedback: str = ""


@dataclass(frozen=True, kw_only=True)
class _ChoiceQuestion(Question):
    """A question whose learner picks among options."""

    options: tuple[Choice, ...]
    shuffle: bool = True

    def __post_init__(self) -> None:
        super().__post_init__()
        _unique((option.id for option in self.options), "option")
        if any(not -ONE <= option.fraction <= ONE for option in self.options):
            raise ValueError("option fractions lie between -1 and 1")

    def public_view(self, rng: random.Random | None = None) -> dict[str, Any]:
        """Options with their id and text only, shuffled when the question asks for it.

        Without ``rng`` a shuffled question orders its options by id: stable, and
        unrelated to which option is right.
        """
        options = list(self.options)
        if self.shuffle:
            options.sort(key=lambda option: option.id)
            if rng is not None:
                rng.shuffle(options)
        return {
            **super().public_view(rng),
            "options": [{"id": option.id, "text": option.text} for option in options],
        }

    def feedback_text(self, feedback_id: str) -> str:
        """Return the feedback of the option with this id."""
        return next((o.feedback for o in self.options if o.id == feedback_id), "")


@dataclass(frozen=True, kw_only=True)
class SingleChoiceQuestion(_ChoiceQuestion):
    """Pick one option; options may give partial credit (GIFT ``~%50%``)."""

    kind = "single_choice"

    def __post_init__(self) -> None:
        super().__post_init__()
        if not any(option.fraction == ONE for option in self.options):
            raise ValueError("a single-choice question needs an option worth 100%")


class Scoring(StrEnum):
    """How a multiple-choice question turns the chosen options into a fraction."""

    #: Sum of the chosen options' weights, from 0 to 1 (see docs/lms-questions.md).
    PARTIAL = "partial"
    #: 1 when exactly the right options are chosen, else 0.
    ALL_OR_NOTHING = "all_or_nothing"


@dataclass(frozen=True, kw_only=True)
class MultipleChoiceQuestion(_ChoiceQuestion):
    """Pick every right option; right options have positive fractions."""

    kind = "multiple_choice"

    scoring: Scoring = Scoring.PARTIAL

    def __post_init__(self) -> None:
        super().__post_init__()
        if not any(option.fraction > 0 for option in self.options):
            raise ValueError("a multiple-choice question needs a right option")


@dataclass(frozen=True, kw_only=True)
class TrueFalseQuestion(Question):
    """Is the statement true? Feedback depends on the learner's answer."""

    kind = "true_false"

    answer: bool
    feedback_true: str = ""
    feedback_false: str = ""

    def feedback_text(self, feedback_id: str) -> str:
        """Return the feedback for the answer ``"true"`` or ``"false"``."""
        return {"true": self.feedback_true, "false": self.feedback_false}.get(feedback_id, "")


@dataclass(frozen=True, kw_only=True)
class NumericQuestion(Question):
    """Type a number; each accepted value or range carries a fraction (GIFT ``{#…}``)."""

    kind = "numeric"

    answers: tuple[NumericAnswer | NumericRange, ...]

    def __post_init__(self) -> None:
        super().__post_init__()
        _unique((answer.id for answer in self.answers), "answer")

    def feedback_text(self, feedback_id: str) -> str:
        """Return the feedback of the accepted answer with this id."""
        return next((a.feedback for a in self.answers if a.id == feedback_id), "")


@dataclass(frozen=True, kw_only=True)
class ShortTextQuestion(Question):
    """Type a word or phrase; each accepted text carries a fraction (GIFT ``{=a =b}``).

    Texts are compared after trimming and collapsing whitespace; case and accents count
    unless ignored.
    """

    kind = "short_text"

    answers: tuple[TextAnswer, ...]
    ignore_case: bool = True
    ignore_accents: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        _unique((answer.id for answer in self.answers), "answer")

    def normalize(self, text: str) -> str:
        """Return ``text`` in the form answers are compared in."""
        return normalize_text(
            text, ignore_case=self.ignore_case, ignore_accents=self.ignore_accents
        )

    def feedback_text(self, feedback_id: str) -> str:
        """Return the feedback of the accepted answer with this id."""
        return next((a.feedback for a in self.answers if a.id == feedback_id), "")


@dataclass(frozen=True)
class MatchPair:
    """A prompt and the target it matches."""

    id: str
    prompt: str
    answer: str


@dataclass(frozen=True, kw_only=True)
class MatchingQuestion(Question):
    """Match each prompt with a target; distractors are targets that match nothing."""

    kind = "matching"

    pairs: tuple[MatchPair, ...]
    distractors: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        _unique((pair.id for pair in self.pairs), "pair")

    def targets(self) -> list[str]:
        """Return each distinct target once: the pairs' answers, then the distractors."""
        return list(dict.fromkeys([pair.answer for pair in self.pairs] + list(self.distractors)))

    def public_view(self, rng: random.Random | None = None) -> dict[str, Any]:
        """Prompts in the author's order; targets shuffled, or sorted without ``rng``.

        Targets are never in pair order, which would give the matching away.
        """
        targets = sorted(self.targets(), key=lambda target: (target.casefold(), target))
        if rng is not None:
            rng.shuffle(targets)
        return {
            **super().public_view(rng),
            "prompts": [{"id": pair.id, "text": pair.prompt} for pair in self.pairs],
            "targets": targets,
        }
