"""The question editor's form to a question dataclass and back.

:func:`read_question` turns the submitted :class:`~lms.quizzes.bank.forms.QuestionForm`
into a question, putting every error beside its field (or above its row list, in
``form.row_errors``); :func:`question_form_data` fills the editor from a question.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from wtforms import FieldList, FormField

from content.i18n import _l
from lms.quizzes.bank.forms import QuestionForm
from lms.quizzes.questions.answers import NumericAnswer, NumericRange, TextAnswer, parse_number
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
    option_ids,
)

__all__ = ["has_errors", "question_form_data", "read_question"]

HUNDRED = Decimal(100)


# Form → question ----------------------------------------------------------------------


def _percent(field, errors_on=None) -> Decimal | None:
    """Read a credit in percent (-100 to 100) as a fraction; error beside the field."""
    number = parse_number(field.data or "0")
    if number is None or not -HUNDRED <= number <= HUNDRED:
        (errors_on or field).errors.append(_l("Give a percentage from -100 to 100."))
        return None
    return number / HUNDRED


def _number(field, *, required: bool = True, minimum: Decimal | None = None) -> Decimal | None:
    text = (field.data or "").strip()
    if not text and not required:
        return None
    number = parse_number(text)
    if number is None:
        field.errors.append(_l("Give a number, e.g. 10 or 2,5."))
    elif minimum is not None and number < minimum:
        field.errors.append(_l("The number cannot be negative."))
        return None
    return number


def _rows_error(form: QuestionForm, rows: FieldList, message) -> None:
    """An error about a whole row list (kept in ``form.row_errors``), shown above its rows."""
    form.row_errors.setdefault(rows.name, []).append(message)


def _choices(form: QuestionForm) -> tuple[Choice, ...]:
    filled = []
    for row in form.options:
        text = (row.text.data or "").strip()
        if not text:
            if (row.feedback.data or "").strip():
                row.text.errors.append(_l("An option needs a text."))
            continue
        filled.append((row, text, _percent(row.percent)))
    ids = option_ids(text for _row, text, _fraction in filled)
    return tuple(
        Choice(option_id, text, fraction, (row.feedback.data or "").strip())
        for option_id, (row, text, fraction) in zip(ids, filled, strict=True)
        if fraction is not None
    )


def _single_or_multiple(form: QuestionForm, common: dict) -> Question | None:
    options = _choices(form)
    if len(options) < 2:
        _rows_error(form, form.options, _l("Give at least two options."))
        return None
    if form.kind.data == "single_choice":
        if not any(option.fraction == 1 for option in options):
            _rows_error(form, form.options, _l("One option must be worth 100%."))
            return None
        return SingleChoiceQuestion(options=options, shuffle=form.shuffle.data, **common)
    if not any(option.fraction > 0 for option in options):
        _rows_error(form, form.options, _l("At least one option must be worth more than 0%."))
        return None
    scoring = Scoring(form.scoring.data or Scoring.PARTIAL)
    return MultipleChoiceQuestion(
        options=options, shuffle=form.shuffle.data, scoring=scoring, **common
    )


def _numeric(form: QuestionForm, common: dict) -> Question | None:
    answers: list[NumericAnswer | NumericRange] = []
    for row in form.numeric_answers:
        value, low, high = (
            (row.value.data or "").strip(),
            (row.minimum.data or "").strip(),
            (row.maximum.data or "").strip(),
        )
        if not (value or low or high):
            continue
        fraction, feedback = _percent(row.percent), (row.feedback.data or "").strip()
        answer_id = str(len(answers) + 1)
        if value:
            number = _number(row.value)
            tolerance = _number(row.tolerance, required=False, minimum=Decimal(0))
            if number is not None and fraction is not None and not row.tolerance.errors:
                answers.append(
                    NumericAnswer(answer_id, number, tolerance or Decimal(0), fraction, feedback)
                )
            continue
        minimum, maximum = _number(row.minimum), _number(row.maximum)
        if minimum is not None and maximum is not None and minimum > maximum:
            row.maximum.errors.append(_l("The end of the range is below its start."))
        elif minimum is not None and maximum is not None and fraction is not None:
            answers.append(NumericRange(answer_id, minimum, maximum, fraction, feedback))
    if not answers:
        _rows_error(form, form.numeric_answers, _l("Give at least one accepted number."))
        return None
    if not any(answer.fraction == 1 for answer in answers):
        _rows_error(form, form.numeric_answers, _l("One accepted answer must be worth 100%."))
        return None
    return NumericQuestion(answers=tuple(answers), **common)


def _short_text(form: QuestionForm, common: dict) -> Question | None:
    answers = []
    for row in form.text_answers:
        text = (row.text.data or "").strip()
        if not text:
            continue
        fraction = _percent(row.percent)
        if fraction is not None:
            feedback = (row.feedback.data or "").strip()
            answers.append(TextAnswer(str(len(answers) + 1), text, fraction, feedback))
    if not answers:
        _rows_error(form, form.text_answers, _l("Give at least one accepted answer."))
        return None
    if not any(answer.fraction == 1 for answer in answers):
        _rows_error(form, form.text_answers, _l("One accepted answer must be worth 100%."))
        return None
    return ShortTextQuestion(
        answers=tuple(answers),
        ignore_case=form.ignore_case.data,
        ignore_accents=form.ignore_accents.data,
        **common,
    )


def _matching(form: QuestionForm, common: dict) -> Question | None:
    filled = []
    for row in form.pairs:
        prompt, answer = (row.prompt.data or "").strip(), (row.answer.data or "").strip()
        if not (prompt or answer):
            continue
        if not prompt:
            row.prompt.errors.append(_l("This item has no text."))
        elif not answer:
            row.answer.errors.append(_l("Give the answer this item matches."))
        else:
            filled.append((prompt, answer))
    if len(filled) < 2:
        _rows_error(form, form.pairs, _l("Give at least two pairs."))
        return None
    ids = option_ids(prompt for prompt, _answer in filled)
    pairs = tuple(
        MatchPair(i, prompt, answer) for i, (prompt, answer) in zip(ids, filled, strict=True)
    )
    distractors = tuple(
        line.strip() for line in (form.distractors.data or "").splitlines() if line.strip()
    )
    return MatchingQuestion(pairs=pairs, distractors=distractors, **common)


def _true_false(form: QuestionForm, common: dict) -> Question | None:
    if form.answer.data not in ("true", "false"):
        form.answer.errors.append(_l("Say whether the statement is true or false."))
        return None
    return TrueFalseQuestion(
        answer=form.answer.data == "true",
        feedback_true=(form.feedback_true.data or "").strip(),
        feedback_false=(form.feedback_false.data or "").strip(),
        **common,
    )


_READERS = {
    "single_choice": _single_or_multiple,
    "multiple_choice": _single_or_multiple,
    "true_false": _true_false,
    "numeric": _numeric,
    "short_text": _short_text,
    "matching": _matching,
}


def read_question(form: QuestionForm) -> Question | None:
    """Return the question the form describes, or None with errors beside the fields.

    Call after ``form.validate()`` (which checks the common fields).
    """
    mark = _number(form.mark, minimum=Decimal(0))
    common = {
        "name": (form.name.data or "").strip(),
        "text": (form.text.data or "").strip(),
        "general_feedback": (form.general_feedback.data or "").strip(),
        "mark": mark if mark is not None else Decimal(1),
    }
    question = _READERS[form.kind.data](form, common)
    if has_errors(form):
        return None
    return question


def has_errors(form: QuestionForm) -> bool:
    """Whether any field, row or row list of the editor has an error."""

    def walk(field) -> bool:
        if isinstance(field, FieldList):
            return any(walk(entry) for entry in field.entries)
        if isinstance(field, FormField):
            return any(walk(sub) for sub in field.form)
        return bool(field.errors)

    return bool(form.row_errors) or any(walk(field) for field in form)


# Question → form ----------------------------------------------------------------------


def _percent_text(fraction: Decimal) -> str:
    return format((fraction * HUNDRED).normalize(), "f")


def question_form_data(question: Question) -> dict[str, Any]:
    """Return the editor's initial data for ``question`` (for ``QuestionForm(data=…)``)."""
    data: dict[str, Any] = {
        "kind": question.kind,
        "name": question.name,
        "text": question.text,
        "mark": format(question.mark.normalize(), "f"),
        "general_feedback": question.general_feedback,
    }
    match question:
        case SingleChoiceQuestion() | MultipleChoiceQuestion():
            data["options"] = [
                {"text": o.text, "percent": _percent_text(o.fraction), "feedback": o.feedback}
                for o in question.options
            ]
            data["shuffle"] = question.shuffle
            if isinstance(question, MultipleChoiceQuestion):
                data["scoring"] = str(question.scoring)
        case TrueFalseQuestion():
            data["answer"] = "true" if question.answer else "false"
            data["feedback_true"] = question.feedback_true
            data["feedback_false"] = question.feedback_false
        case NumericQuestion():
            data["numeric_answers"] = [_numeric_row(answer) for answer in question.answers]
        case ShortTextQuestion():
            data["text_answers"] = [
                {"text": a.text, "percent": _percent_text(a.fraction), "feedback": a.feedback}
                for a in question.answers
            ]
            data["ignore_case"] = question.ignore_case
            data["ignore_accents"] = question.ignore_accents
        case MatchingQuestion():
            data["pairs"] = [{"prompt": p.prompt, "answer": p.answer} for p in question.pairs]
            data["distractors"] = "\n".join(question.distractors)
    return data


def _numeric_row(answer: NumericAnswer | NumericRange) -> dict[str, str]:
    row = {"percent": _percent_text(answer.fraction), "feedback": answer.feedback}
    if isinstance(answer, NumericRange):
        row |= {"minimum": str(answer.minimum), "maximum": str(answer.maximum)}
    else:
        row |= {"value": str(answer.value), "tolerance": str(answer.tolerance)}
    return row
