"""Learners' enrolment and lessons done, kept per process for the lesson page's repeat views.

A learner opening again the lesson they are on (decision 52: no write, no session row)
read their enrolment and "done" marks at every view. Each process now keeps what it read,
per learner and module, and forgets a learner's entries when their progress changes:

- Database triggers stamp the learner's row in ``lms_progress_changes`` at every write to
  ``lms_enrolments`` or ``lms_lesson_progress``, whatever wrote (``ProgressChange``), so no
  writer can forget to say so.
- A process reads the rows stamped since its last look at most once per
  ``LMS_PROGRESS_CHECK_SECONDS`` (1 s): a change made on another host shows within that
  time. On PostgreSQL it reads the stamps (transaction ids) at or above the oldest
  transaction running at its last look, so a transaction that commits late is not missed.
- After a commit in this process that wrote to those tables, the next look is at once: a
  learner's own action (Mark as done, enrolling) shows on their next request here.

Only plain values are kept (the enrolment's resume pointer and time, the set of lessons
done), by learner id: an entry is only ever answered for the learner it was read for.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, has_app_context
from sqlalchemy import event, text

from content.attached_rows import read_rows
from content.extensions import db

KEY = "lms.kept_progress"
DEFAULT_CHECK_SECONDS = 1.0
DEFAULT_KEPT_LEARNERS = 10_000

#: Above every stamp: the first look reads no learner.
_NO_STAMP = 2**62
# The first row is the new horizon, the others the learners changed since the last one.
_CHANGED_SINCE = {
    # Every transaction older than the oldest one running has ended (and is visible).
    "postgresql": text(
        "SELECT NULL AS user_id, pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS stamp "
        "UNION ALL SELECT user_id, stamp FROM lms_progress_changes WHERE stamp >= :horizon"
    ),
    # Writers take turns: stamps are in commit order.
    "sqlite": text(
        "SELECT NULL AS user_id, coalesce(max(stamp), 0) AS stamp FROM lms_progress_changes "
        "UNION ALL SELECT user_id, stamp FROM lms_progress_changes WHERE stamp > :horizon"
    ),
}


@dataclass(frozen=True)
class KeptEnrolment:
    """What the lesson page needs of a learner's enrolment in a module, as read."""

    lesson_groups: tuple[str, ...]
    last_item_group: str | None
    last_seen_dt: datetime | None
    done: frozenset[str]


class KeptProgress:
    """Learners' enrolments and lessons done by learner and module, forgotten on change."""

    def __init__(self, size: int, check_seconds: float) -> None:
        """Keep at most ``size`` learners; look for changes every ``check_seconds``."""
        self.size = size
        self.check_seconds = check_seconds
        self._learners: OrderedDict[int, dict[str, KeptEnrolment]] = OrderedDict()
        self._horizon: int | None = None
        self._checked = float("-inf")
        #: Counts the looks; ``_changed`` holds the look that last saw a learner change.
        self._look = 0
        self._changed: dict[int, int] = {}
        self._oldest_valid_look = 0
        self._lock = threading.Lock()

    def look_now(self) -> None:
        """Make the next ``get`` look for changes (after a commit that wrote progress)."""
        self._checked = float("-inf")

    def get(self, user_id: int, module_group: str, lesson_groups: tuple) -> KeptEnrolment | None:
        """Return what was kept of this learner's enrolment, unless it may have changed."""
        self._look_if_due()
        with self._lock:
            modules = self._learners.get(user_id)
            found = modules.get(module_group) if modules else None
            if found is None or found.lesson_groups != lesson_groups:
                return None
            self._learners.move_to_end(user_id)
            return found

    def reading(self) -> int:
        """Return the look a read starting now follows (pass it to ``put``)."""
        return self._look

    def put(self, user_id: int, module_group: str, kept: KeptEnrolment, read_after: int) -> None:
        """Keep what was read after look ``read_after``, unless a change was seen since."""
        with self._lock:
            if read_after < self._oldest_valid_look or self._changed.get(user_id, -1) > read_after:
                return  # the learner changed meanwhile: what was read may be stale
            self._learners.setdefault(user_id, {})[module_group] = kept
            self._learners.move_to_end(user_id)
            while len(self._learners) > self.size:
                self._learners.popitem(last=False)

    def clear(self) -> None:
        """Forget everything (tests, or after a restore from backup)."""
        with self._lock:
            self._learners.clear()
            self._changed.clear()
            self._horizon = None
            self._checked = float("-inf")
            self._look += 1
            self._oldest_valid_look = self._look

    def _look_if_due(self) -> None:
        now = time.monotonic()
        if now - self._checked < self.check_seconds:
            return
        self._checked = now  # other threads keep answering meanwhile
        horizon = self._horizon
        # The first look reads the horizon only: nothing is kept yet.
        after = _NO_STAMP if horizon is None else horizon
        rows = read_rows(_CHANGED_SINCE[db.engine.dialect.name], {"horizon": after})
        with self._lock:
            self._look += 1
            if horizon is None:  # first look: nothing kept was read before it
                self._learners.clear()
            for row in rows[1:]:
                self._learners.pop(row.user_id, None)
                self._changed[row.user_id] = self._look
            if len(self._changed) > 10 * self.size:  # reads in flight now are refused
                self._changed.clear()
                self._oldest_valid_look = self._look
            self._horizon = max(rows[0].stamp, horizon or 0)


def kept_progress() -> KeptProgress:
    """Return the app's kept progress (made on first use)."""
    kept = current_app.extensions.get(KEY)
    if kept is None:
        _watch_writes(db.engine)
        config = current_app.config
        kept = current_app.extensions.setdefault(
            KEY,
            KeptProgress(
                config.get("LMS_PROGRESS_KEPT_LEARNERS", DEFAULT_KEPT_LEARNERS),
                config.get("LMS_PROGRESS_CHECK_SECONDS", DEFAULT_CHECK_SECONDS),
            ),
        )
    return kept


_wrote = threading.local()
_PROGRESS_TABLES = ("lms_enrolments", "lms_lesson_progress")


def _note_progress_write(_connection, _cursor, statement, *_args) -> None:
    if statement[:6] != "SELECT" and any(table in statement for table in _PROGRESS_TABLES):
        _wrote.progress = True


def _look_after_commit(_session) -> None:
    # After the database's COMMIT: the next look sees this transaction's stamps.
    if _wrote.__dict__.pop("progress", False) and has_app_context():
        kept = current_app.extensions.get(KEY)
        if kept is not None:
            kept.look_now()


def _watch_writes(engine) -> None:
    """Look for changes at once after this process commits a write to progress."""
    if not event.contains(engine, "before_cursor_execute", _note_progress_write):
        event.listen(engine, "before_cursor_execute", _note_progress_write)
    if not event.contains(db.session, "after_commit", _look_after_commit):
        event.listen(db.session, "after_commit", _look_after_commit)
