"""``tracing-app lms``: the LMS's command group, with the commands of the quiz features."""

from __future__ import annotations

from flask.cli import AppGroup

from lms.quizzes.attempts.cli import grade_overdue_attempts_command
from lms.quizzes.bank.cli import export_command, import_command

lms_group = AppGroup("lms", help="Training: the question bank and other LMS tasks.")
for command in (import_command, export_command, grade_overdue_attempts_command):
    lms_group.add_command(command)
