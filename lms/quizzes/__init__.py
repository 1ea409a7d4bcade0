"""Quizzes and exams; this package's names are the database-free core (docs/lms-questions.md).

Question types, answers, grading and their JSON form are in :mod:`.questions`, the GIFT
and Aiken formats in :mod:`.formats`; the bank, settings, attempts and results are
sub-features with their own rooms (docs/architecture.md, "The LMS").
"""

from lms.quizzes.formats.aiken import parse_aiken
from lms.quizzes.formats.gift import dump_gift, parse_gift
from lms.quizzes.formats.problems import Problem, QuestionImportError
from lms.quizzes.questions.answers import NumericAnswer, NumericRange, TextAnswer, parse_number
from lms.quizzes.questions.grading import Grade, feedback_texts, grade
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

__all__ = [
    "Choice",
    "Grade",
    "MatchPair",
    "MatchingQuestion",
    "MultipleChoiceQuestion",
    "NumericAnswer",
    "NumericQuestion",
    "NumericRange",
    "Problem",
    "Question",
    "QuestionImportError",
    "Scoring",
    "ShortTextQuestion",
    "SingleChoiceQuestion",
    "TextAnswer",
    "TrueFalseQuestion",
    "dump_gift",
    "feedback_texts",
    "grade",
    "option_ids",
    "parse_aiken",
    "parse_gift",
    "parse_number",
]
