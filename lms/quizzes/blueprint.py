"""Routes of quizzes: the learner's quiz and attempt pages, trainers' settings and results.

The question bank adds its routes (``/bank/…``) to the same blueprint in its own module.
"""

from flask import Blueprint

from lms.quizzes import attempt_views, views

bp = Blueprint("quizzes", __name__, url_prefix="/<lang_code>/quizzes", template_folder="templates")
# The attempt page's autosave script; assets carry no language in their URL.
assets = Blueprint(
    "quizzes_assets", __name__, static_folder="static", static_url_path="/quizzes-static"
)

bp.context_processor(views.template_helpers)

# Trainers: quizzes, settings and results.
bp.add_url_rule("/", "list_quizzes", views.list_quizzes)
bp.add_url_rule("/<group>/settings", "edit_settings", views.edit_settings, methods=["GET", "POST"])
bp.add_url_rule("/<group>/results", "quiz_results", views.quiz_results)
bp.add_url_rule("/<group>/results.csv", "export_results", views.export_results)

# Learners: the quiz's page, then attempts.
bp.add_url_rule("/<group>", "view_quiz", views.view_quiz)
bp.add_url_rule("/<group>/start", "start_attempt", views.start_attempt, methods=["POST"])
bp.add_url_rule(
    "/attempts/<int:attempt_id>",
    "take_attempt",
    attempt_views.take_attempt,
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/attempts/<int:attempt_id>/autosave",
    "autosave_attempt",
    attempt_views.autosave_attempt,
    methods=["POST"],
)
bp.add_url_rule(
    "/attempts/<int:attempt_id>/submit",
    "submit_attempt",
    attempt_views.submit_attempt,
    methods=["GET", "POST"],
)
bp.add_url_rule("/attempts/<int:attempt_id>/review", "review_attempt", attempt_views.review_attempt)
bp.add_url_rule(
    "/attempts/<int:attempt_id>/record", "view_attempt_record", attempt_views.view_attempt_record
)

# The question bank's routes (/bank/…): bank_views adds them to bp; must come after bp.
from lms.quizzes import bank_views  # noqa: E402, F401
