"""The question bank: trainers and administrators (lms.manage_courses) only.

Editors write CMS pages but not questions: questions hold the exam's answers.
"""

from tests.permission_rows import TRAINERS

MANAGE = "lms.manage_courses"

ROWS = {
    endpoint: (MANAGE, TRAINERS)
    for endpoint in (
        "quizzes.view_bank",
        "quizzes.create_category",
        "quizzes.edit_category",
        "quizzes.delete_category",
        "quizzes.create_question",
        "quizzes.export_questions",
        "quizzes.edit_question",
        "quizzes.translate_question",
        "quizzes.move_question",
        "quizzes.preview_question",
        "quizzes.retire_question",
        "quizzes.question_history",
        "quizzes.view_question_version",
        "quizzes.restore_question_version",
        "quizzes.import_questions",
    )
}
