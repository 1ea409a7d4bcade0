"""The rules of learning: enrolment, progress, time spent, completion.

Everything a learner did is stored by translation group, so it counts in every language
(what a module holds is ``lms.courses.modules``).
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, url_for
from sqlalchemy import and_, bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from content.attached_rows import attached, read_rows
from content.auth.models import User, utcnow
from content.db import savepoint
from content.extensions import db
from content.i18n import _
from content.items import operations as items
from content.items.models import ContentItem
from lms import signals
from lms.courses.kept_progress import KeptEnrolment, kept_progress
from lms.courses.models import Enrolment, LessonProgress
from lms.courses.modules import (
    CourseError,
    ModuleItem,
    module_in_language,
    module_item_groups,
    module_items,
    prerequisites,
    quiz_done,
    quizzes_in_modules,
    quizzes_required,
    settings_of,
)

#: A gap between two page views longer than this counts as this much reading at most:
#: a lesson left open over lunch is not an hour of study.
DEFAULT_VIEW_TIME_CAP_SECONDS = 600
#: A learner opening again the lesson they are on within this long writes nothing: the
#: time is credited at the next view recorded (see ``recorded_moments_ago``).
DEFAULT_VIEW_RECORD_SECONDS = 60


def missing_prerequisites(user: User, module_group: str) -> list[str]:
    """Return the prerequisite module groups the user has not completed yet."""
    done = completed_module_groups(user)
    return [group for group in prerequisites(module_group) if group not in done]


# --- Enrolment ------------------------------------------------------------------------


def enrolment(user: User, module_group: str) -> Enrolment | None:
    """Return the user's enrolment in a module, or None."""
    return db.session.scalar(
        select(Enrolment).where(
            Enrolment.user_id == user.id, Enrolment.module_group == module_group
        )
    )


#: The enrolment joined with the completed lessons' progress rows (built once: the lesson
#: page runs it at every view). Core, on the tables: no ORM loading for a row per lesson.
_ENROLMENTS = Enrolment.__table__
_PROGRESS = LessonProgress.__table__
_ENROLMENT_AND_LESSONS_DONE = (
    select(*_ENROLMENTS.c, _PROGRESS.c.lesson_group.label("done_group"))
    .outerjoin(
        _PROGRESS,
        and_(
            _PROGRESS.c.user_id == _ENROLMENTS.c.user_id,
            _PROGRESS.c.lesson_group.in_(bindparam("lesson_groups", expanding=True)),
            _PROGRESS.c.completed_dt.is_not(None),
        ),
    )
    .where(
        _ENROLMENTS.c.user_id == bindparam("user_id"),
        _ENROLMENTS.c.module_group == bindparam("module_group"),
    )
)


def enrolment_and_lessons_done(
    user_id: int, module_group: str, lesson_groups: list[str], *, repeat_of: str | None = None
) -> tuple[Enrolment | KeptEnrolment | None, set[str]]:
    """Return a user's enrolment in a module and which of these lessons they completed.

    One statement: the enrolment joined with the completed lessons' progress rows (outside
    a transaction when the request has none: a lesson re-opened on a reader pass); the
    enrolment is attached to the session as if loaded (``content.attached_rows``).

    :param repeat_of: the lesson (translation group) a lesson page shows: when the learner
        opens it again moments after its view was recorded (``recorded_moments_ago``), the
        answer may come from what this process keeps (``lms.courses.kept_progress``), as a
        ``KeptEnrolment`` (nothing is to be written then). What the page reads is kept.
    """
    groups = tuple(lesson_groups)
    kept = kept_progress() if repeat_of is not None else None
    if kept is not None:
        found = kept.get(user_id, module_group, groups)
        if found is not None and _moments_ago(found.last_item_group, found.last_seen_dt, repeat_of):
            return found, found.done
        read_after = kept.reading()
    rows = read_rows(
        _ENROLMENT_AND_LESSONS_DONE,
        {"user_id": user_id, "module_group": module_group, "lesson_groups": lesson_groups},
    )
    if not rows:
        return None, set()
    # The models' attributes are named as their columns.
    values = {c.key: rows[0]._mapping[c] for c in _ENROLMENTS.c}
    done = frozenset(found.done_group for found in rows if found.done_group is not None)
    if kept is not None:
        made = KeptEnrolment(groups, values["last_item_group"], values["last_seen_dt"], done)
        kept.put(user_id, module_group, made, read_after)
    return attached(Enrolment, values), done


def enrolments(user: User) -> dict[str, Enrolment]:
    """Return the user's enrolments by module group."""
    rows = db.session.scalars(select(Enrolment).where(Enrolment.user_id == user.id))
    return {row.module_group: row for row in rows}


def enrol(
    user: User, module_group: str, *, actor: User | None = None, cohort: str = ""
) -> Enrolment:
    """Enrol a user in a module; learners who enrol themselves need the prerequisites.

    A trainer (``actor`` other than the user) may enrol anyone: their decision overrides
    missing prerequisites. Enrolling again keeps the progress and updates the cohort.

    :raise CourseError: the module does not exist, or a learner lacks prerequisites.
    """
    if module_in_language(module_group, user.locale) is None:
        raise CourseError(_("This training module does not exist or is not published."))
    by_trainer = actor is not None and actor.id != user.id
    if not by_trainer:
        if not settings_of(module_group).is_self_enrolment:
            raise CourseError(_("A trainer enrols learners in this module."))
        missing = missing_prerequisites(user, module_group)
        if missing:
            titles = ", ".join(module_title(group, user.locale) for group in missing)
            raise CourseError(
                _("Complete these modules first: %(titles)s.", titles=titles), "module"
            )
    existing = enrolment(user, module_group)
    if existing is not None:
        if by_trainer and cohort:
            existing.cohort = cohort
        return existing
    row = Enrolment(
        user_id=user.id,
        module_group=module_group,
        enrolled_by_id=actor.id if by_trainer else None,
        cohort=cohort.strip()[:100],
    )
    return _insert_once(row, lambda: enrolment(user, module_group))


def _insert_once(row, existing):
    """Insert a row guarded by a unique constraint; if a parallel request won, use theirs.

    (A double click on Enrol, or a lesson open in two tabs.) The savepoint keeps the
    caller's transaction usable after the constraint refuses the insert.
    """
    try:
        with savepoint():
            db.session.add(row)
    except IntegrityError:
        found = existing()
        if found is None:
            raise
        return found
    return row


def module_title(module_group: str, language: str) -> str:
    """Return the module's live title in ``language`` (or another language)."""
    module = module_in_language(module_group, language)
    shown = items.live(module) if module is not None else None
    return shown.title if shown is not None else module_group


# --- Progress -------------------------------------------------------------------------


def lesson_progress(user: User, groups: list[str]) -> dict[str, LessonProgress]:
    """Return the user's progress rows for these lesson groups."""
    if not groups:
        return {}
    rows = db.session.scalars(
        select(LessonProgress).where(
            LessonProgress.user_id == user.id, LessonProgress.lesson_group.in_(groups)
        )
    )
    return {row.lesson_group: row for row in rows}


def items_with_progress(
    user: User, module: ContentItem, translations: dict[str, ContentItem] | None = None
) -> list[ModuleItem]:
    """Return the module's items, each marked done (lesson completed or quiz passed).

    :param translations: ``live_members`` of the module's group, when the caller has them.
    """
    found = module_items(module, translations)
    progress = lesson_progress(user, [entry.group for entry in found if not entry.is_quiz])
    for entry in found:
        if entry.is_quiz:
            entry.done = quiz_done(user, entry.group)
        else:
            row = progress.get(entry.group)
            entry.done = row is not None and row.completed_dt is not None
    return found


def mark_quizzes_done(user: User, found: list) -> None:
    """Mark the quizzes among a module's items done when the user passed them."""
    for entry in found:
        if entry.is_quiz:
            entry.done = quiz_done(user, entry.group)


def next_item(found: list[ModuleItem], after_group: str | None = None) -> ModuleItem | None:
    """Return the item after ``after_group`` (or the first) that is not done, else None."""
    start = 0
    groups = [entry.group for entry in found]
    if after_group in groups:
        start = groups.index(after_group) + 1
    for entry in found[start:] + found[:start]:
        if not entry.done:
            return entry
    return None


def blocking_item(found: list[ModuleItem], group: str) -> ModuleItem | None:
    """Return the first earlier lesson not done yet (for modules with a required order)."""
    for entry in found:
        if entry.group == group:
            return None
        if not entry.done and not entry.is_quiz:
            return entry
    return None


def _view_time_cap() -> timedelta:
    seconds = current_app.config.get("LMS_VIEW_TIME_CAP_SECONDS", DEFAULT_VIEW_TIME_CAP_SECONDS)
    return timedelta(seconds=seconds)


def _credit_time(user: User, row: Enrolment) -> None:
    """Credit the time since the learner's previous page view to the lesson they were on.

    One UPDATE that adds in the database: no read first, and two tabs add up.
    """
    now = utcnow()
    if row.last_item_group and row.last_seen_dt is not None:
        seconds = int(min(now - row.last_seen_dt, _view_time_cap()).total_seconds())
        if seconds > 0:
            db.session.execute(
                update(LessonProgress)
                .where(
                    LessonProgress.user_id == user.id,
                    LessonProgress.lesson_group == row.last_item_group,
                )
                .values(seconds_spent=LessonProgress.seconds_spent + seconds)
            )
    row.last_seen_dt = now


def _insert_progress(user: User, group: str) -> None:
    """Add the learner's progress row of a lesson unless it exists: one INSERT … ON CONFLICT.

    A lesson open in two tabs at once inserts one row; neither request fails.
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(
        insert(LessonProgress)
        .values(user_id=user.id, lesson_group=group, first_seen_dt=utcnow(), seconds_spent=0)
        .on_conflict_do_nothing(index_elements=["user_id", "lesson_group"])
    )


def record_view(user: User, row: Enrolment, entry: ModuleItem) -> None:
    """Record that the learner opened a lesson or quiz: resume pointer and time spent.

    Writes only (at most an UPDATE of the previous lesson's time, the enrolment's UPDATE
    and an INSERT … ON CONFLICT of the lesson's progress): nothing is read back.
    """
    _credit_time(user, row)
    row.last_item_group = entry.group
    if not entry.is_quiz:
        _insert_progress(user, entry.group)


def _view_record_interval() -> timedelta:
    seconds = current_app.config.get("LMS_VIEW_RECORD_SECONDS", DEFAULT_VIEW_RECORD_SECONDS)
    # Never longer than the cap: a skipped view must not shorten the time credited.
    return min(timedelta(seconds=seconds), _view_time_cap())


def recorded_moments_ago(row: Enrolment, entry) -> bool:
    """Return whether a view of this lesson repeats the one recorded a moment ago.

    Then the view records nothing (the lesson page calls ``record_view`` otherwise). The
    learner opening again (reloading, coming back from another tab) the lesson they
    were last recorded on, less than ``LMS_VIEW_RECORD_SECONDS`` (60) after that record,
    writes nothing: the resume pointer and the lesson's progress row are already there,
    and the time since the record is credited at the next view recorded (another lesson,
    this one a minute later, or "Mark as done"). Completion is unchanged; time spent is
    the same except when a gap longer than the cap follows a skipped view (the capped gap
    then counts from the record, up to a minute less); the trainer's page and the resume
    pointer's time trail by at most that minute.
    """
    return _moments_ago(row.last_item_group, row.last_seen_dt, entry.group)


def _moments_ago(last_item_group: str | None, last_seen_dt, group: str) -> bool:
    return (
        last_item_group == group
        and last_seen_dt is not None
        and utcnow() - last_seen_dt < _view_record_interval()
    )


def mark_done(user: User, row: Enrolment, entry: ModuleItem) -> bool:
    """Mark a lesson done (time until now included); return whether the module is complete."""
    record_view(user, row, entry)
    db.session.execute(
        update(LessonProgress)
        .where(
            LessonProgress.user_id == user.id,
            LessonProgress.lesson_group == entry.group,
            LessonProgress.completed_dt.is_(None),
        )
        .values(completed_dt=utcnow())
    )
    # The learner moves on: the next gap is not reading time of this lesson.
    row.last_seen_dt = None
    return check_completion(user, row)


def check_completion(user: User, row: Enrolment) -> bool:
    """Record completion once every lesson is done and every quiz (exams too) passed.

    Sends ``module_completed`` the first time (after flush, in the caller's transaction).
    """
    if row.completed_dt is not None:
        return True
    lesson_groups, quiz_groups = module_item_groups(row.module_group)
    if not lesson_groups and not quiz_groups:
        return False
    progress = lesson_progress(user, lesson_groups)
    if any(progress.get(g) is None or progress[g].completed_dt is None for g in lesson_groups):
        return False
    if not all(quiz_done(user, group) for group in quizzes_required(quiz_groups)):
        return False
    row.completed_dt = utcnow()
    db.session.flush()
    signals.module_completed.send(
        current_app._get_current_object(), user=user, module_group=row.module_group
    )
    return True


def on_attempt_graded(sender, attempt, **kwargs) -> None:
    """A quiz passed may complete the modules that hold it."""
    if attempt.quiz_group not in quizzes_in_modules():
        return  # e.g. a certification's exam on its own: no enrolment to read
    user = db.session.get(User, attempt.user_id)
    if user is None:
        return
    for row in enrolments(user).values():
        if row.completed_dt is None:
            _lessons, quiz_groups = module_item_groups(row.module_group)
            if attempt.quiz_group in quiz_groups:
                check_completion(user, row)


def module_progress(user: User, module: ContentItem) -> tuple[int, int]:
    """Return (items done, items) of a module for a learner."""
    found = items_with_progress(user, module)
    return sum(entry.done for entry in found), len(found)


# --- Interfaces for the other LMS parts (names agreed in the LMS contract) --------------


def module_completed(user: User, module_group: str) -> bool:
    """Return whether the user completed the module (in any language)."""
    row = enrolment(user, module_group)
    return row is not None and row.completed_dt is not None


def completed_module_groups(user: User) -> set[str]:
    """Return the translation groups of every module the user completed."""
    return set(
        db.session.scalars(
            select(Enrolment.module_group).where(
                Enrolment.user_id == user.id, Enrolment.completed_dt.is_not(None)
            )
        )
    )


def module_url(module_group: str, language: str) -> str | None:
    """Return the learner's page of the module in ``language`` (or another), or None."""
    module = module_in_language(module_group, language)
    if module is None:
        return None
    return url_for("courses.view_module", lang_code=module.language, module_id=module.id)
