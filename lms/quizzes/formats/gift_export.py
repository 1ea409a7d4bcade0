"""Write questions as Moodle GIFT, so that ``parse_gift(dump_gift(qs)) == qs``.

GIFT cannot say everything a question can: marks, shuffling, multiple-choice scoring and
the short-text case/accent flags come back as their defaults, option ids come back as
:func:`~lms.quizzes.questions.types.option_ids` of the texts, and texts come back trimmed.
Some texts cannot be written at all; those raise ValueError (see :func:`dump_gift`).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from lms.quizzes.formats.gift_syntax import FORMAT_TAG, escape
from lms.quizzes.questions.answers import ONE, ZERO, NumericAnswer
from lms.quizzes.questions.types import (
    Choice,
    MatchingQuestion,
    MultipleChoiceQuestion,
    NumericQuestion,
    Question,
    ShortTextQuestion,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)

__all__ = ["dump_gift"]

_INDENT = "\t"


def dump_gift(questions: Iterable[Question]) -> str:
    """Return GIFT text for ``questions``: each titled, marked ``[markdown]``, one per block.

    Names should be non-empty and trimmed: an empty name comes back as the start of the
    text, as for any untitled GIFT question.

    :raise ValueError: for a category that is not one trimmed line, or ``->`` in a
        short-text answer or a matching prompt (GIFT has no escape for it).
    """
    parts, category = [], None
    for question in questions:
        if question.category != category:
            parts.append(_category_line(question.category))
            category = question.category
        parts.append(_question(question))
    return "\n\n".join(parts) + "\n"


def _category_line(category: str | None) -> str:
    if category is None:
        # Not Moodle's: an empty category returns the questions that follow to none.
        return "$CATEGORY:"
    if "\n" in category or category != category.strip() or not category:
        raise ValueError(f"a GIFT category is one trimmed line: {category!r}")
    return f"$CATEGORY: {category}"


def _text(text: str) -> str:
    """``text`` escaped; one that starts like a format tag gets ``[markdown]`` before it.

    The parser takes a leading ``[plain]``, ``[html]``… of an answer or a feedback for its
    format, so such a text must say its real format first to come back unchanged.
    """
    return ("[markdown]" if FORMAT_TAG.match(text) else "") + escape(text)


def _question(question: Question) -> str:
    answers = _answers(question)
    if question.general_feedback:
        answers.append("####" + _text(question.general_feedback))
    head = f"::{escape(question.name, colons=True)}::[markdown]{escape(question.text)} {{"
    return "\n".join([head, *(_INDENT + answer for answer in answers), "}"])


def _number(value: Decimal) -> str:
    return format(value, "f")


def _weight(fraction: Decimal) -> str:
    return f"%{_number((fraction * 100).normalize())}%"


def _answer(mark: str, text: str, fraction: Decimal, default: Decimal, feedback: str) -> str:
    """One ``=``/``~`` answer; a weight when not the default, or the text starts with %."""
    weight = _weight(fraction) if fraction != default or text.startswith("%") else ""
    return mark + weight + _text(text) + ("#" + _text(feedback) if feedback else "")


def _choices(options: Iterable[Choice], *, single: bool) -> list[str]:
    lines, marked = [], False
    for option in options:
        # The first 100% option of a single choice is "="; every other one is "~".
        if single and not marked and option.fraction == ONE:
            marked = True
            lines.append(_answer("=", option.text, option.fraction, ONE, option.feedback))
        else:
            lines.append(_answer("~", option.text, option.fraction, ZERO, option.feedback))
    return lines


def _numeric(question: NumericQuestion) -> list[str]:
    specs = []
    for answer in question.answers:
        if isinstance(answer, NumericAnswer):
            spec = _number(answer.value)
            spec += f":{_number(answer.tolerance)}" if answer.tolerance else ""
        else:
            spec = f"{_number(answer.minimum)}..{_number(answer.maximum)}"
        specs.append((answer, spec))
    if len(specs) == 1 and specs[0][0].fraction == ONE:
        answer, spec = specs[0]
        return ["#" + spec + ("#" + _text(answer.feedback) if answer.feedback else "")]
    lines = ["#"]
    for answer, spec in specs:
        weight = _weight(answer.fraction) if answer.fraction != ONE else ""
        lines.append(
            "=" + weight + spec + ("#" + _text(answer.feedback) if answer.feedback else "")
        )
    return lines


def _answers(question: Question) -> list[str]:
    """The lines inside the answer block."""
    if isinstance(question, SingleChoiceQuestion | MultipleChoiceQuestion):
        return _choices(question.options, single=isinstance(question, SingleChoiceQuestion))
    if isinstance(question, TrueFalseQuestion):
        wrong, right = (question.feedback_false, question.feedback_true)
        if not question.answer:
            wrong, right = right, wrong
        feedback = f"#{_text(wrong)}#{_text(right)}" if right else f"#{_text(wrong)}"
        return [("TRUE" if question.answer else "FALSE") + (feedback if wrong or right else "")]
    if isinstance(question, NumericQuestion):
        return _numeric(question)
    if isinstance(question, ShortTextQuestion):
        if any("->" in answer.text for answer in question.answers):
            raise ValueError("GIFT cannot write '->' in a short-text answer")
        return [_answer("=", a.text, a.fraction, ONE, a.feedback) for a in question.answers]
    if isinstance(question, MatchingQuestion):
        if any("->" in pair.prompt for pair in question.pairs):
            raise ValueError("GIFT cannot write '->' in a matching prompt")
        # The item may start with a format tag (Moodle reads one there), what it matches not.
        pairs = [f"={_text(p.prompt)} -> {escape(p.answer)}" for p in question.pairs]
        return pairs + [f"= -> {escape(target)}" for target in question.distractors]
    raise TypeError(f"GIFT cannot write a {type(question).__name__}")
