"""``tracing-app lms grade-overdue-attempts``: grade attempts whose time ran out.

:mod:`lms.quizzes.cli` adds it to the LMS's command group.
"""

from __future__ import annotations

import click

from content.extensions import db
from content.i18n import ngettext
from lms.quizzes.attempts.operations import grade_overdue_attempts


@click.command("grade-overdue-attempts")
def grade_overdue_attempts_command() -> None:
    """Grade the attempts past their deadline, as they stood then (run it every few minutes)."""
    count = grade_overdue_attempts()
    db.session.commit()
    click.echo(
        ngettext("%(num)d overdue attempt graded.", "%(num)d overdue attempts graded.", count)
    )
