"""Right and wrong responses to a question: the answer key of demos, benches and tests.

Server-side only: the end-to-end test and the benchmarks use it to answer the demo exam
as a learner who knows (or does not know) the answers. The response formats are those
of :func:`lms.quizzes.grade` (docs/lms-questions.md).
"""

from __future__ import annotations

from typing import Any

from lms.quizzes import (
    MatchingQuestion,
    MultipleChoiceQuestion,
    NumericAnswer,
    NumericQuestion,
    Question,
    ShortTextQuestion,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)


def right_response(question: Question) -> Any:
    """Return a response that earns full marks."""
    if isinstance(question, SingleChoiceQuestion):
        return max(question.options, key=lambda option: option.fraction).id
    if isinstance(question, MultipleChoiceQuestion):
        return [option.id for option in question.options if option.fraction > 0]
    if isinstance(question, TrueFalseQuestion):
        return question.answer
    if isinstance(question, NumericQuestion):
        best = max(question.answers, key=lambda answer: answer.fraction)
        return str(best.value if isinstance(best, NumericAnswer) else best.minimum)
    if isinstance(question, ShortTextQuestion):
        return max(question.answers, key=lambda answer: answer.fraction).text
    if isinstance(question, MatchingQuestion):
        return {pair.id: pair.answer for pair in question.pairs}
    raise TypeError(f"no answer key for {question.kind}")


def wrong_response(question: Question) -> Any:
    """Return a response that earns no marks."""
    if isinstance(question, SingleChoiceQuestion):
        return min(question.options, key=lambda option: option.fraction).id
    if isinstance(question, MultipleChoiceQuestion):
        return [option.id for option in question.options if option.fraction <= 0]
    if isinstance(question, TrueFalseQuestion):
        return not question.answer
    if isinstance(question, NumericQuestion):
        return "-999999"
    if isinstance(question, ShortTextQuestion):
        return "?"
    if isinstance(question, MatchingQuestion):
        answers = [pair.answer for pair in question.pairs]
        shifted = answers[1:] + answers[:1]  # every prompt gets another prompt's answer
        return {pair.id: answer for pair, answer in zip(question.pairs, shifted, strict=True)}
    raise TypeError(f"no answer key for {question.kind}")
