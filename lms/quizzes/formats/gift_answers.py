"""Read the answer block ``{…}`` of a GIFT question into a question of the right type.

The type follows from the answers, as in Moodle: ``#`` first is numeric, any ``~`` is a
choice question (single choice when an answer starts with ``=``, else multiple choice),
``=… -> …`` is matching, other ``=`` answers are short text, ``T``/``F`` is true/false.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from content.i18n import _l
from lms.quizzes.formats.gift_syntax import FORMAT_TAG, Block, find, split, unescape
from lms.quizzes.formats.problems import Problem
from lms.quizzes.questions.answers import (
    ONE,
    ZERO,
    NumericAnswer,
    NumericRange,
    TextAnswer,
    parse_number,
)
from lms.quizzes.questions.types import (
    Choice,
    MatchingQuestion,
    MatchPair,
    MultipleChoiceQuestion,
    NumericQuestion,
    Question,
    ShortTextQuestion,
    SingleChoiceQuestion,
    TrueFalseQuestion,
    option_ids,
)

__all__ = ["HTML_REFUSED", "Reader", "read_answers", "read_text"]

#: The problem of ``[html]``, at any level (question text, answer, feedback).
HTML_REFUSED = _l("HTML text is not supported: the site uses Markdown. Use [markdown].")

_WEIGHT = re.compile(r"\s*%(-?[0-9]{1,3}(?:\.[0-9]{1,7})?)%")
_TRUE, _FALSE = {"T", "TRUE"}, {"F", "FALSE"}
#: Multiple-choice weights of right options must add up to 100%, give or take this.
_SUM_TOLERANCE = Decimal("0.0001")


class Reader:
    """Notes problems of one block against the file's line numbers."""

    def __init__(self, block: Block, problems: list[Problem]) -> None:
        self.block = block
        self.problems = problems

    def problem(self, offset: int, code: str, message) -> None:
        """Note a problem at ``offset`` in the block's text; returns None for brevity."""
        self.problems.append(Problem(self.block.line(offset), code, message))


def read_text(reader: Reader, raw: str, offset: int) -> str:
    """Return the text of ``raw`` (at ``offset`` in the block) without its format tag.

    As in Moodle, a question text, an answer and a feedback may each start with
    ``[markdown]``, ``[plain]``, ``[moodle]`` or ``[html]``; the tag is not part of the
    text. Every text of the site is Markdown, so the first three are read as Markdown and
    ``[html]`` is refused, wherever it stands (docs/lms-question-bank.md).
    """
    tag = FORMAT_TAG.match(raw)
    if tag is None:
        return unescape(raw).strip()
    if tag[1].lower() == "html":
        reader.problem(offset + tag.start(1), "html-not-supported", HTML_REFUSED)
    return unescape(raw[tag.end() :]).strip()


@dataclass(frozen=True)
class _Item:
    """One answer: its mark (``=``/``~``), where it starts, weight, text and feedback."""

    mark: str
    offset: int
    weight: Decimal | None
    text: str
    feedback: str

    def fraction(self) -> Decimal:
        if self.weight is not None:
            return self.weight
        return ONE if self.mark == "=" else ZERO


def _items(reader: Reader, raw: str, base: int, marks: str) -> list[_Item]:
    """Split answers at ``marks``; read each one's ``%weight%`` and ``#feedback``."""
    (_mark, offset, lead), *pieces = split(raw, marks)
    if lead.strip():
        reader.problem(base + offset, "text-before-answers", _l("Answers start with = or ~."))
    items = []
    for mark, offset, piece in pieces:
        weight, rest = None, piece
        if match := _WEIGHT.match(piece):
            weight, rest = Decimal(match[1]) / 100, piece[match.end() :]
            if not -ONE <= weight <= ONE:
                reader.problem(
                    base + offset, "bad-weight", _l("Weights lie between -100% and 100%.")
                )
        start = base + offset + len(piece) - len(rest)
        hash_at = find(rest, "#")
        text = read_text(reader, rest if hash_at < 0 else rest[:hash_at], start)
        feedback = (
            read_text(reader, rest[hash_at + 1 :], start + hash_at + 1) if hash_at >= 0 else ""
        )
        item = _Item(mark, base + offset, weight, text, feedback)
        if not item.text:
            reader.problem(item.offset, "empty-answer", _l("An answer is empty."))
        items.append(item)
    return items


def read_answers(reader: Reader, body: str, base: int, common: dict) -> Question | None:
    """Return the question the answer block ``body`` (at ``base`` in the block) describes.

    :param common: the fields every question has (name, text, feedback, category).
    :return: the question, or None when problems were noted.
    """
    stripped = body.strip()
    base += len(body) - len(body.lstrip())
    before = len(reader.problems)
    if not stripped:
        message = _l("Essay questions ({}) are not supported.")
        return reader.problem(base, "unsupported-type", message)
    if stripped.startswith("#"):
        question = _numeric(reader, stripped[1:], base + 1, common)
    elif find(stripped, "~") >= 0:
        question = _choice(reader, stripped, base, common)
    elif stripped.startswith("="):
        pieces = split(stripped, "=")[1:]
        if any(_has_arrow(piece) for _mark, _offset, piece in pieces):
            question = _matching(reader, pieces, base, common)
        else:
            question = _short_text(reader, stripped, base, common)
    else:
        question = _true_false(reader, stripped, base, common)
    return question if len(reader.problems) == before else None


def _has_arrow(piece: str) -> bool:
    """Whether an answer's text (not its feedback) has ``->``: then it is a matching pair."""
    hash_at = find(piece, "#")
    return find(piece[:hash_at] if hash_at >= 0 else piece, "->") >= 0


def _require_full_credit(reader: Reader, base: int, fractions: list[Decimal]) -> None:
    if ONE not in fractions:
        reader.problem(base, "no-full-credit", _l("One of the answers must be worth 100%."))


def _choice(reader: Reader, raw: str, base: int, common: dict) -> Question | None:
    before = len(reader.problems)
    items = _items(reader, raw, base, "=~")
    fractions = [item.fraction() for item in items]
    single = any(item.mark == "=" for item in items)
    if len(items) < 2:
        reader.problem(base, "too-few-options", _l("A choice question needs two options or more."))
    if single:
        _require_full_credit(reader, base, fractions)
    elif abs(sum(f for f in fractions if f > 0) - ONE) > _SUM_TOLERANCE:
        message = _l("The weights of the right options must add up to 100%.")
        reader.problem(base, "weights-not-100", message)
    if len(reader.problems) > before:
        return None
    texts = [item.text for item in items]
    options = tuple(
        Choice(option_id, item.text, fraction, item.feedback)
        for option_id, item, fraction in zip(option_ids(texts), items, fractions, strict=True)
    )
    kind = SingleChoiceQuestion if single else MultipleChoiceQuestion
    return kind(options=options, **common)


def _short_text(reader: Reader, raw: str, base: int, common: dict) -> Question:
    items = _items(reader, raw, base, "=")
    _require_full_credit(reader, base, [item.fraction() for item in items])
    answers = tuple(
        TextAnswer(str(index), item.text, item.fraction(), item.feedback)
        for index, item in enumerate(items, start=1)
    )
    return ShortTextQuestion(answers=answers, **common)


def _numeric_answer(reader: Reader, index: int, item: _Item) -> NumericAnswer | NumericRange | None:
    spec, fraction, feedback = item.text, item.fraction(), item.feedback
    low, dots, high = spec.partition("..")
    value, colon, tolerance = spec.partition(":")
    if dots:
        numbers = parse_number(low), parse_number(high)
    else:
        numbers = parse_number(value), parse_number(tolerance) if colon else ZERO
    if None in numbers:
        return reader.problem(
            item.offset, "bad-number", _l("This is not a number: %(spec)s", spec=spec)
        )
    if dots and numbers[0] > numbers[1]:
        return reader.problem(
            item.offset, "bad-range", _l("The range's minimum exceeds its maximum.")
        )
    if dots:
        return NumericRange(str(index), *numbers, fraction, feedback)
    if numbers[1] < 0:
        return reader.problem(item.offset, "bad-number", _l("A tolerance cannot be negative."))
    return NumericAnswer(str(index), *numbers, fraction, feedback)


def _numeric(reader: Reader, raw: str, base: int, common: dict) -> Question | None:
    if (tilde := find(raw, "~")) >= 0:
        message = _l("Numeric answers with ~ (wrong-answer feedback) are not supported.")
        return reader.problem(base + tilde, "unsupported-feature", message)
    if find(raw, "=") >= 0:
        items = _items(reader, raw, base, "=")
    else:  # one answer without "=": read it as if it had one
        items = _items(reader, "=" + raw, base - 1, "=")
    _require_full_credit(reader, base, [item.fraction() for item in items])
    answers = [
        _numeric_answer(reader, index, item) if item.text else None
        for index, item in enumerate(items, start=1)
    ]
    if None in answers or not answers:
        return None
    return NumericQuestion(answers=tuple(answers), **common)


def _matching(reader: Reader, pieces: list, base: int, common: dict) -> Question | None:
    prompts, answers, distractors = [], [], []
    before = len(reader.problems)
    for _mark, offset, piece in pieces:
        arrow = find(piece, "->")
        if find(piece, "#") >= 0:
            message = _l("Matching pairs have no feedback; escape # as \\#.")
            reader.problem(base + offset, "unsupported-feature", message)
        if arrow < 0:
            reader.problem(base + offset, "missing-arrow", _l("Each pair is written a -> b."))
            continue
        # As in Moodle, the item may carry a format tag; what it matches is plain text.
        prompt = read_text(reader, piece[:arrow], base + offset)
        answer = unescape(piece[arrow + 2 :]).strip()
        if not answer:
            reader.problem(base + offset, "empty-answer", _l("An answer is empty."))
        elif prompt:
            prompts.append(prompt)
            answers.append(answer)
        else:
            distractors.append(answer)
    if len(reader.problems) > before:
        return None
    if len(prompts) < 2:
        message = _l("A matching question needs two pairs or more.")
        return reader.problem(base, "too-few-pairs", message)
    pairs = tuple(map(MatchPair, option_ids(prompts), prompts, answers))
    return MatchingQuestion(pairs=pairs, distractors=tuple(distractors), **common)


def _true_false(reader: Reader, raw: str, base: int, common: dict) -> Question | None:
    pieces = [read_text(reader, piece, base + offset) for _mark, offset, piece in split(raw, "#")]
    word = pieces[0].upper()
    if word not in _TRUE | _FALSE:
        message = _l("Cannot tell the question type from these answers.")
        return reader.problem(base, "unknown-answers", message)
    if len(pieces) > 3:
        message = _l("True/false takes two feedbacks at most: {T#if wrong#if right}.")
        return reader.problem(base, "too-many-feedbacks", message)
    wrong, right = [*pieces[1:], "", ""][:2]
    answer = word in _TRUE
    feedback_true, feedback_false = (right, wrong) if answer else (wrong, right)
    return TrueFalseQuestion(
        answer=answer, feedback_true=feedback_true, feedback_false=feedback_false, **common
    )
