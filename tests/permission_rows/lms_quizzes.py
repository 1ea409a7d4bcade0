"""Permission rows of quizzes: learners' quiz and attempt pages, trainers' settings and results.

Learner pages need a signed-in user; the view then shows only quizzes the user may see and
only their own attempts (anything else, like the matrix's "999999", answers 404).
"""

from content.auth.roles import AUTHENTICATED
from tests.permission_rows import EVERYONE_SIGNED_IN

TRAINERS = {"trainer", "admin"}

ROWS = {
    "quizzes.view_quiz": (AUTHENTICATED, EVERYONE_SIGNED_IN),
    "quizzes.start_attempt": (AUTHENTICATED, EVERYONE_SIGNED_IN),
    "quizzes.take_attempt": (AUTHENTICATED, EVERYONE_SIGNED_IN),
    "quizzes.autosave_attempt": (AUTHENTICATED, EVERYONE_SIGNED_IN),
    "quizzes.submit_attempt": (AUTHENTICATED, EVERYONE_SIGNED_IN),
    "quizzes.review_attempt": (AUTHENTICATED, EVERYONE_SIGNED_IN),
    "quizzes.list_quizzes": ("lms.view_progress", TRAINERS),
    "quizzes.quiz_results": ("lms.view_progress", TRAINERS),
    "quizzes.export_results": ("lms.view_progress", TRAINERS),
    "quizzes.edit_settings": ("lms.manage_courses", TRAINERS),
    "quizzes.view_attempt_record": ("lms.view_progress", TRAINERS),
}
