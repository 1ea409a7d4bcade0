"""Routes of the training modules: learners' pages and trainers' pages."""

from flask import Blueprint

from lms import signals
from lms.courses import operations, trainer_views, views

bp = Blueprint("courses", __name__, url_prefix="/<lang_code>/learn", template_folder="templates")
# The ordering script; assets carry no language in their URL.
assets = Blueprint(
    "courses_assets", __name__, static_folder="static", static_url_path="/learn-static"
)

# Learners
bp.add_url_rule("/", "list_modules", views.list_modules)
bp.add_url_rule("/modules/<int:module_id>", "view_module", views.view_module)
bp.add_url_rule(
    "/modules/<int:module_id>/enrol", "enrol_module", views.enrol_module, methods=["POST"]
)
bp.add_url_rule("/modules/<int:module_id>/resume", "resume_module", views.resume_module)
bp.add_url_rule("/modules/<int:module_id>/lessons/<int:item_id>", "view_lesson", views.view_lesson)
bp.add_url_rule(
    "/modules/<int:module_id>/lessons/<int:item_id>/done",
    "complete_lesson",
    views.complete_lesson,
    methods=["POST"],
)
bp.add_url_rule("/modules/<int:module_id>/quizzes/<int:item_id>", "open_quiz", views.open_quiz)

# Trainers
bp.add_url_rule("/trainer/modules", "manage_modules", trainer_views.manage_modules)
bp.add_url_rule(
    "/trainer/modules/<int:module_id>",
    "edit_module",
    trainer_views.edit_module,
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/trainer/modules/<int:module_id>/items/<int:item_id>/move",
    "move_module_item",
    trainer_views.move_module_item,
    methods=["POST"],
)
bp.add_url_rule(
    "/trainer/modules/<int:module_id>/order",
    "reorder_module",
    trainer_views.reorder_module,
    methods=["POST"],
)
bp.add_url_rule(
    "/trainer/enrol", "enrol_learners", trainer_views.enrol_learners, methods=["GET", "POST"]
)
bp.add_url_rule("/trainer/progress", "view_progress", trainer_views.view_progress)
bp.add_url_rule("/trainer/progress.csv", "export_progress", trainer_views.export_progress)

# A quiz passed may complete a module (sent by lms.quizzes after grading).
signals.attempt_graded.connect(operations.on_attempt_graded, weak=False)
