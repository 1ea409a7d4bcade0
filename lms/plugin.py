"""Hooks of the LMS plugin."""

from __future__ import annotations

from pathlib import Path

from content.auth.roles import Role
from content.core.panels import DashboardPanel, NavItem, PanelLink
from content.demo import ensure_demo_user
from content.hookspecs import hookimpl
from content.i18n import _, _l
from content.items.types import ContentType


@hookimpl
def tracing_roles():
    """Trainers follow and enrol learners; every user is a learner without a role."""
    return [
        Role("trainer", _l("Trainer"), _l("Builds courses and follows the learners' progress."))
    ]


@hookimpl
def tracing_content_types():
    """Training modules (ordered lessons and quizzes), lessons and quizzes: CMS items."""
    return [
        ContentType(
            "module",
            _l("Training module"),
            folderish=True,
            allowed_children=frozenset({"lesson", "quiz"}),
            template="courses/module_item.html",
            description=_l("An ordered set of lessons and quizzes that learners enrol in."),
        ),
        ContentType("lesson", _l("Lesson"), description=_l("A lesson of a module, in Markdown.")),
        ContentType(
            "quiz",
            _l("Quiz"),
            description=_l("A quiz of a module; the text is its instructions."),
            template="quizzes/quiz_item.html",
        ),
    ]


@hookimpl
def tracing_permissions():
    """Permissions of the LMS."""
    return {
        "lms.manage_courses": {"trainer", "admin"},
        "lms.view_progress": {"trainer", "admin"},
        "lms.manage_certificates": {"admin"},
        # Trainers write modules, lessons and quizzes: CMS items (a reviewer publishes them).
        "content.edit": {"trainer"},
        "content.view_drafts": {"trainer"},
    }


@hookimpl
def tracing_dashboard_panels(user):
    """Training for everyone; learner follow-up for trainers."""
    panels = [
        DashboardPanel(
            _("Training"),
            items=[_("Follow the training modules and pass the exam to receive your certificate.")],
            links=[PanelLink(_("Training modules"), "courses.list_modules")],
            order=100,
        )
    ]
    if user.can("lms.view_progress"):
        panels.append(
            DashboardPanel(
                _("Trainer"),
                items=[_("Build training modules and see who passed.")],
                links=[
                    PanelLink(_("Learners' progress"), "courses.view_progress"),
                    PanelLink(_("Quiz results"), "quizzes.list_quizzes"),
                    *(
                        [
                            PanelLink(_("Modules, enrolment"), "courses.manage_modules"),
                            PanelLink(_("Question bank"), "quizzes.view_bank"),
                        ]
                        if user.can("lms.manage_courses")
                        else []
                    ),
                ],
                order=110,
            )
        )
    from lms.certification.panels import dashboard_panels as certification_panels

    panels += certification_panels(user)
    return panels


@hookimpl
def tracing_navigation_items(user):
    """Training for everyone signed in; the trainers' pages for trainers."""
    items = [NavItem(_l("Training"), "courses.list_modules", order=100)]
    if user.can("lms.view_progress"):
        items.append(NavItem(_l("Trainer"), "courses.view_progress", order=110))
    items.append(NavItem(_l("My certificates"), "certification.list_certificates", order=105))
    if user.can("lms.manage_certificates"):
        items.append(NavItem(_l("Certificates"), "certification.manage_certificates", order=115))
    return items


@hookimpl
def tracing_demo_data(app):
    """A trainer account; the demo curriculum, its exam and certification (lms/seed)."""
    from lms.seed.install import install_demo_training

    return [
        ensure_demo_user("trainer@example.org", "Tine Trainer", ["trainer"], "nl"),
        *install_demo_training(),
    ]


@hookimpl
def tracing_blueprints(app):
    """The LMS's blueprints; also imports its models so migrations know the tables."""
    from lms.certification import models as certification_models  # noqa: F401
    from lms.courses import models as course_models  # noqa: F401 - course tables
    from lms.quizzes.attempts import models as attempt_models  # noqa: F401 - attempts
    from lms.quizzes.bank import models as bank_models  # noqa: F401 - question bank tables
    from lms.quizzes.settings import models as settings_models  # noqa: F401 - settings, draws

    blueprints = []
    from lms.courses.blueprint import assets as courses_assets
    from lms.courses.blueprint import bp as courses_bp

    blueprints += [courses_bp, courses_assets]
    from lms.certification.blueprint import bp as certification_bp

    blueprints.append(certification_bp)
    from lms.quizzes.blueprint import assets as quizzes_assets
    from lms.quizzes.blueprint import bp as quizzes_bp

    blueprints += [quizzes_bp, quizzes_assets]
    return blueprints


@hookimpl
def tracing_access_denied(user, gate):
    """A gate that a certification grants needs a valid certificate of it (lms.certification)."""
    from lms.certification.gate import access_refusal

    return access_refusal(user, gate)


@hookimpl
def tracing_migration_directories():
    """The LMS's migrations: a branch of its own on top of the core's."""
    return [str(Path(__file__).parent / "migrations" / "versions")]


@hookimpl
def tracing_cli_commands(cli):
    """``tracing-app lms import-questions|export-questions|grade-overdue-attempts``."""
    from lms.quizzes.cli import lms_group

    cli.add_command(lms_group)


@hookimpl
def tracing_translation_rows(user):
    """The bank's quiz questions and their languages, for those who write them."""
    if not user.can("lms.manage_courses"):
        return []
    from lms.quizzes.bank.views import translation_rows

    return translation_rows()


@hookimpl
def tracing_jobs(app):
    """Grading of quiz attempts whose time ran out while nobody came back to them."""
    from datetime import timedelta

    from content.jobs import Job
    from lms.quizzes.attempts.operations import grade_overdue_attempts

    return [
        Job("quizzes.grade_overdue_attempts", _l("Grade quiz attempts past their deadline"),
            timedelta(minutes=5), lambda now: grade_overdue_attempts(now=now)),
    ]  # fmt: skip
