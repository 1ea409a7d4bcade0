"""Training modules: learners' pages for everyone signed in, trainers' pages for trainers."""

from content.auth.roles import AUTHENTICATED
from tests.permission_rows import EVERYONE_SIGNED_IN, TRAINERS

ROWS = {
    # Learners: a module id that does not exist answers 404 to everyone signed in.
    "courses.list_modules": (AUTHENTICATED, EVERYONE_SIGNED_IN),
    "courses.view_module": (AUTHENTICATED, EVERYONE_SIGNED_IN),
    "courses.enrol_module": (AUTHENTICATED, EVERYONE_SIGNED_IN),
    "courses.resume_module": (AUTHENTICATED, EVERYONE_SIGNED_IN),
    "courses.view_lesson": (AUTHENTICATED, EVERYONE_SIGNED_IN),
    "courses.complete_lesson": (AUTHENTICATED, EVERYONE_SIGNED_IN),
    "courses.open_quiz": (AUTHENTICATED, EVERYONE_SIGNED_IN),
    # Trainers build modules and enrol learners, and follow their progress.
    "courses.manage_modules": ("lms.manage_courses", TRAINERS),
    "courses.edit_module": ("lms.manage_courses", TRAINERS),
    "courses.move_module_item": ("lms.manage_courses", TRAINERS),
    "courses.reorder_module": ("lms.manage_courses", TRAINERS),
    "courses.enrol_learners": ("lms.manage_courses", TRAINERS),
    "courses.view_progress": ("lms.view_progress", TRAINERS),
    "courses.export_progress": ("lms.view_progress", TRAINERS),
}
