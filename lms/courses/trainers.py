"""What trainers do with modules: enrol learners, follow progress, order a module's items."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from sqlalchemy import func, select

from content.auth.models import User, utcnow
from content.extensions import db
from content.i18n import _
from content.items.models import ContentItem
from content.items.page_cache import bump_content_version
from content.multilingual import operations as multilingual
from content.users.operations import normalise_email
from lms.courses import modules
from lms.courses import operations as courses
from lms.courses.models import Enrolment, LessonProgress, ModulePrerequisite, ModuleSettings

_SEPARATORS = re.compile(r"[\s,;]+")


class EnrolmentProblems(modules.CourseError):
    """Some addresses cannot be enrolled: nobody was enrolled; one message per address."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems), "emails")
        self.problems = problems


def enrol_by_emails(text: str, module_group: str, *, actor: User, cohort: str = "") -> list[User]:
    """Enrol the accounts named by e-mail addresses (one per line, or comma-separated).

    Every address is checked first; when any is unknown, nobody is enrolled.

    :raise EnrolmentProblems: listing each address that is not an active account.
    """
    addresses = [part for part in _SEPARATORS.split(text or "") if part]
    if not addresses:
        raise EnrolmentProblems([_("Give at least one e-mail address.")])
    users, problems = [], []
    for address in dict.fromkeys(addresses):
        user = db.session.scalar(select(User).where(User.email == normalise_email(address)))
        if user is None or not user.is_active_account:
            problems.append(_("No active account has the address %(email)s.", email=address))
        else:
            users.append(user)
    if problems:
        raise EnrolmentProblems(problems)
    for user in users:
        courses.enrol(user, module_group, actor=actor, cohort=cohort)
    return users


def save_settings(
    module: ContentItem, *, is_required_order: bool, is_self_enrolment: bool, required: list[str]
) -> None:
    """Save a module's settings and prerequisites (shared by all its translations).

    :raise CourseError: a module cannot require itself or a module that requires it.
    """
    group = module.translation_group
    if group in required:
        raise modules.CourseError(_("A module cannot require itself."), "prerequisites")
    for other in required:
        if group in _all_prerequisites(other):
            raise modules.CourseError(
                _("These prerequisites would make a circle: a module requires this one."),
                "prerequisites",
            )
    settings = db.session.get(ModuleSettings, group)
    if settings is None:
        settings = ModuleSettings(module_group=group)
        db.session.add(settings)
    settings.is_required_order = is_required_order
    settings.is_self_enrolment = is_self_enrolment
    settings.updated_dt = utcnow()
    db.session.execute(ModulePrerequisite.__table__.delete().where(
        ModulePrerequisite.module_group == group
    ))  # fmt: skip
    for other in dict.fromkeys(required):
        db.session.add(ModulePrerequisite(module_group=group, required_group=other))
    # Learners' lesson pages keep the order setting in the module's shared outline.
    bump_content_version()
    db.session.flush()


def _all_prerequisites(group: str) -> set[str]:
    """Return every module required before ``group``, directly or through others."""
    seen: set[str] = set()
    todo = [group]
    while todo:
        for required in modules.prerequisites(todo.pop()):
            if required not in seen:
                seen.add(required)
                todo.append(required)
    return seen


def reorder(module: ContentItem, ordered_ids: list[int]) -> None:
    """Put the module's items in this order, in every translation of the module.

    Translations follow by translation group; their items missing from the order keep
    their relative order after the others.

    :raise CourseError: the ids are not exactly the module's items.
    """
    children = list(module.children)
    if sorted(ordered_ids) != sorted(child.id for child in children):
        raise modules.CourseError(_("The order does not match the module's items."))
    by_id = {child.id: child for child in children}
    ranking = {by_id[item_id].translation_group: rank for rank, item_id in enumerate(ordered_ids)}
    for translation in multilingual.translations(module).values():
        members = sorted(
            translation.children,
            key=lambda child: (ranking.get(child.translation_group, len(ranking)), child.position),
        )
        for position, child in enumerate(members):
            child.position = position
    bump_content_version()


def move(module: ContentItem, item: ContentItem, offset: int) -> None:
    """Move one item of the module up (-1) or down (+1), in every translation."""
    ids = [child.id for child in module.children]
    index = ids.index(item.id)
    target = index + (1 if offset > 0 else -1)
    if 0 <= target < len(ids):
        ids[index], ids[target] = ids[target], ids[index]
        reorder(module, ids)


# --- Progress of learners ----------------------------------------------------------------


@dataclass
class ProgressCell:
    """One learner in one module."""

    enrolment: Enrolment | None
    done: int = 0
    total: int = 0
    seconds: int = 0

    @property
    def percent(self) -> int:
        """Return the share of items done, 0-100."""
        return round(100 * self.done / self.total) if self.total else 0


@dataclass
class ProgressReport:
    """Learners × modules, with per-module completion for the chart."""

    modules: list[tuple[str, str]]  # (group, title)
    rows: list[tuple[User, list[ProgressCell]]] = field(default_factory=list)

    def completion(self) -> list[tuple[str, int, int]]:
        """Return (title, completed, enrolled) per module."""
        result = []
        for index, (_group, title) in enumerate(self.modules):
            cells = [cells[index] for _user, cells in self.rows if cells[index].enrolment]
            completed = sum(1 for cell in cells if cell.enrolment.completed_dt is not None)
            result.append((title, completed, len(cells)))
        return result


def cohorts() -> list[str]:
    """Return the cohort names in use, sorted."""
    return sorted(
        db.session.scalars(select(Enrolment.cohort).where(Enrolment.cohort != "").distinct())
    )


def progress_report(
    language: str, *, learner_language: str = "", cohort: str = ""
) -> ProgressReport:
    """Return the progress of enrolled learners, filtered by their language and cohort.

    Modules are those published in any language, titled in ``language`` when possible.
    """
    groups = list(
        dict.fromkeys(
            db.session.scalars(
                select(ContentItem.translation_group)
                .where(
                    ContentItem.type == modules.MODULE,
                    ContentItem.live_revision_number.is_not(None),
                )
                .order_by(ContentItem.path)
            )
        )
    )
    report = ProgressReport([(group, courses.module_title(group, language)) for group in groups])
    query = (
        select(Enrolment)
        .join(User, User.id == Enrolment.user_id)
        .where(Enrolment.module_group.in_(groups))
    )
    if learner_language:
        query = query.where(User.locale == learner_language)
    if cohort:
        query = query.where(Enrolment.cohort == cohort)
    by_user: dict[int, dict[str, Enrolment]] = {}
    for row in db.session.scalars(query):
        by_user.setdefault(row.user_id, {})[row.module_group] = row
    if not by_user:
        return report
    learners = db.session.scalars(
        select(User).where(User.id.in_(by_user)).order_by(func.lower(User.display_name))
    )
    structure = {group: modules.module_item_groups(group) for group in groups}
    progress: dict[tuple[int, str], LessonProgress] = {
        (row.user_id, row.lesson_group): row
        for row in db.session.scalars(
            select(LessonProgress).where(LessonProgress.user_id.in_(by_user))
        )
    }
    for user in learners:
        cells = []
        for group in groups:
            row = by_user[user.id].get(group)
            lessons, quizzes = structure[group]
            cell = ProgressCell(row, total=len(lessons) + len(quizzes))
            if row is not None:
                for lesson in lessons:
                    found = progress.get((user.id, lesson))
                    if found is not None:
                        cell.seconds += found.seconds_spent
                        cell.done += found.completed_dt is not None
                cell.done += sum(modules.quiz_done(user, quiz) for quiz in quizzes)
            cells.append(cell)
        report.rows.append((user, cells))
    return report


def progress_csv(report: ProgressReport) -> str:
    """Return the report as CSV: one line per learner and module they are enrolled in."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "email", "name", "language", "cohort", "module", "items_done", "items",
            "percent", "minutes_spent", "enrolled", "completed",
        ]
    )  # fmt: skip
    for user, cells in report.rows:
        for (_group, title), cell in zip(report.modules, cells, strict=True):
            if cell.enrolment is None:
                continue
            completed = cell.enrolment.completed_dt
            writer.writerow(
                [
                    _safe(user.email), _safe(user.display_name), user.locale,
                    _safe(cell.enrolment.cohort), _safe(title), cell.done, cell.total,
                    cell.percent, round(cell.seconds / 60), cell.enrolment.enrolled_dt.isoformat(),
                    completed.isoformat() if completed else "",
                ]
            )  # fmt: skip
    return out.getvalue()


def _safe(value: str) -> str:
    """Keep spreadsheet programs from running a cell as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
