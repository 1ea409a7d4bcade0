"""Questions to JSON and back: how the bank stores a question version's spec.

The JSON is plain: a ``kind`` (the question class's ``kind``), the common fields, and the
type's own fields. Decimals are written as strings (``"0.3333333"``) so that no float ever
touches a fraction, a tolerance or a mark. ``question_from_json(question_to_json(q)) == q``
for every question; the constructors' checks run again on reading, so a stored spec that
became impossible fails loudly instead of grading wrongly.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from lms.quizzes.questions.answers import NumericAnswer, NumericRange, TextAnswer
from lms.quizzes.questions.types import (
    Choice,
    MatchingQuestion,
    MatchPair,
    MultipleChoiceQuestion,
    NumericQuestion,
    Question,
    Scoring,
    ShortTextQuestion,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)

__all__ = ["QUESTION_CLASSES", "question_from_json", "question_to_json"]

#: Every question class by its ``kind``.
QUESTION_CLASSES: dict[str, type[Question]] = {
    cls.kind: cls
    for cls in (
        SingleChoiceQuestion,
        MultipleChoiceQuestion,
        TrueFalseQuestion,
        NumericQuestion,
        ShortTextQuestion,
        MatchingQuestion,
    )
}


def _choice(option: Choice) -> dict[str, Any]:
    return {
        "id": option.id,
        "text": option.text,
        "fraction": str(option.fraction),
        "feedback": option.feedback,
    }


def _numeric(answer: NumericAnswer | NumericRange) -> dict[str, Any]:
    if isinstance(answer, NumericRange):
        bounds = {"minimum": str(answer.minimum), "maximum": str(answer.maximum)}
    else:
        bounds = {"value": str(answer.value), "tolerance": str(answer.tolerance)}
    return {
        "id": answer.id,
        **bounds,
        "fraction": str(answer.fraction),
        "feedback": answer.feedback,
    }


def _text(answer: TextAnswer) -> dict[str, Any]:
    return {
        "id": answer.id,
        "text": answer.text,
        "fraction": str(answer.fraction),
        "feedback": answer.feedback,
    }


def question_to_json(question: Question) -> dict[str, Any]:
    """Return ``question`` as JSON-able values (decimals as strings)."""
    data: dict[str, Any] = {
        "kind": question.kind,
        "name": question.name,
        "text": question.text,
        "general_feedback": question.general_feedback,
        "mark": str(question.mark),
        "category": question.category,
    }
    match question:
        case MultipleChoiceQuestion():
            data["options"] = [_choice(option) for option in question.options]
            data["shuffle"] = question.shuffle
            data["scoring"] = str(question.scoring)
        case SingleChoiceQuestion():
            data["options"] = [_choice(option) for option in question.options]
            data["shuffle"] = question.shuffle
        case TrueFalseQuestion():
            data["answer"] = question.answer
            data["feedback_true"] = question.feedback_true
            data["feedback_false"] = question.feedback_false
        case NumericQuestion():
            data["answers"] = [_numeric(answer) for answer in question.answers]
        case ShortTextQuestion():
            data["answers"] = [_text(answer) for answer in question.answers]
            data["ignore_case"] = question.ignore_case
            data["ignore_accents"] = question.ignore_accents
        case MatchingQuestion():
            data["pairs"] = [
                {"id": pair.id, "prompt": pair.prompt, "answer": pair.answer}
                for pair in question.pairs
            ]
            data["distractors"] = list(question.distractors)
        case _:
            raise ValueError(f"unknown question kind: {question.kind!r}")
    return data


def _read_choice(data: dict[str, Any]) -> Choice:
    return Choice(
        str(data["id"]), data["text"], Decimal(data.get("fraction", "0")), data.get("feedback", "")
    )


def _read_numeric(data: dict[str, Any]) -> NumericAnswer | NumericRange:
    fraction, feedback = Decimal(data.get("fraction", "1")), data.get("feedback", "")
    if "minimum" in data:
        return NumericRange(
            str(data["id"]),
            Decimal(data["minimum"]),
            Decimal(data["maximum"]),
            fraction,
            feedback,
        )
    return NumericAnswer(
        str(data["id"]), Decimal(data["value"]), Decimal(data.get("tolerance", "0")), fraction,
        feedback,
    )  # fmt: skip


def _read_text(data: dict[str, Any]) -> TextAnswer:
    return TextAnswer(
        str(data["id"]), data["text"], Decimal(data.get("fraction", "1")), data.get("feedback", "")
    )


def _own_fields(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """Return the constructor arguments of the type ``kind`` read from ``data``."""
    readers: dict[str, Callable[[], dict[str, Any]]] = {
        "single_choice": lambda: {
            "options": tuple(map(_read_choice, data["options"])),
            "shuffle": bool(data.get("shuffle", True)),
        },
        "multiple_choice": lambda: {
            "options": tuple(map(_read_choice, data["options"])),
            "shuffle": bool(data.get("shuffle", True)),
            "scoring": Scoring(data.get("scoring", Scoring.PARTIAL)),
        },
        "true_false": lambda: {
            "answer": bool(data["answer"]),
            "feedback_true": data.get("feedback_true", ""),
            "feedback_false": data.get("feedback_false", ""),
        },
        "numeric": lambda: {"answers": tuple(map(_read_numeric, data["answers"]))},
        "short_text": lambda: {
            "answers": tuple(map(_read_text, data["answers"])),
            "ignore_case": bool(data.get("ignore_case", True)),
            "ignore_accents": bool(data.get("ignore_accents", False)),
        },
        "matching": lambda: {
            "pairs": tuple(
                MatchPair(str(pair["id"]), pair["prompt"], pair["answer"]) for pair in data["pairs"]
            ),
            "distractors": tuple(data.get("distractors", ())),
        },
    }
    return readers[kind]()


def question_from_json(data: dict[str, Any]) -> Question:
    """Return the question ``data`` describes (the output of :func:`question_to_json`).

    :raise ValueError: unknown kind, missing field or an impossible question.
    """
    kind = data.get("kind")
    if kind not in QUESTION_CLASSES:
        raise ValueError(f"unknown question kind: {kind!r}")
    try:
        own = _own_fields(kind, data)
        return QUESTION_CLASSES[kind](
            name=data["name"],
            text=data["text"],
            general_feedback=data.get("general_feedback", ""),
            mark=Decimal(data.get("mark", "1")),
            category=data.get("category"),
            **own,
        )
    except (KeyError, TypeError, ArithmeticError) as error:
        raise ValueError(f"malformed {kind} question: {error!r}") from error
