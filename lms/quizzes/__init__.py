"""Questions, grading and question import: the database-free core of quizzes and exams.

Question types live in :mod:`.questions`, grading in :mod:`.grading`, the GIFT format in
:mod:`.gift` and the Aiken format in :mod:`.aiken`. See docs/lms-questions.md.
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
