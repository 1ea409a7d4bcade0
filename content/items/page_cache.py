"""A cache of the pages anonymous visitors read, checked against a content version.

Every change visitors could notice (a save, a workflow step, a move) bumps one counter in
the database. Each process keeps rendered pages with the version they were made at, and
reads the counter at most once per ``PAGE_CACHE_CHECK_SECONDS``: a publication shows to
visitors on every host within that time. Only derived data is kept in memory, so any
host can answer any request.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from flask import current_app, request, session
from flask_login import current_user
from sqlalchemy import select, update

from content.extensions import db
from content.items.models import ContentState


class PageCache:
    """Rendered pages by URL path, each stamped with the content version it was made at."""

    def __init__(self, size: int, check_seconds: float) -> None:
        """Keep at most ``size`` pages; re-read the version every ``check_seconds``."""
        self.size = size
        self.check_seconds = check_seconds
        self._pages: OrderedDict[str, tuple[int, bytes]] = OrderedDict()
        self._version = -1
        self._checked = float("-inf")
        self._lock = threading.Lock()
        #: Counts ``clear()`` calls: values derived before one are stale whatever the version.
        self.generation = 0

    def version(self) -> int:
        """Return the content version, read from the database when the last read is too old."""
        now = time.monotonic()
        if now - self._checked >= self.check_seconds:
            self._version = db.session.scalar(select(ContentState.version)) or 0
            self._checked = now
        return self._version

    def get(self, key: str) -> bytes | None:
        """Return the cached page when it was made at the current version."""
        version = self.version()
        with self._lock:
            entry = self._pages.get(key)
            if entry is None or entry[0] != version:
                return None
            self._pages.move_to_end(key)
            return entry[1]

    def put(self, key: str, body: bytes) -> None:
        """Keep a page made at the current version."""
        with self._lock:
            self._pages[key] = (self._version, body)
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        """Forget every page and the version (tests, or after a restore from backup)."""
        with self._lock:
            self._pages.clear()
            self._checked = float("-inf")
            self.generation += 1


def bump_content_version() -> None:
    """Record that visitors may see something new (in the caller's transaction)."""
    result = db.session.execute(update(ContentState).values(version=ContentState.version + 1))
    if result.rowcount == 0:  # the migration inserts the row; an emptied table gets it back
        db.session.add(ContentState(id=1, version=1))


def page_cache() -> PageCache:
    """Return the app's page cache."""
    return current_app.extensions["tracing.page_cache"]


def cacheable() -> bool:
    """Return whether this request may be answered from, and stored in, the cache."""
    if (
        current_app.config["PAGE_CACHE_SIZE"] <= 0
        or request.method != "GET"
        or request.query_string
    ):
        return False
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        return True  # no session: anonymous, no message waiting (and no session to open)
    return not current_user.is_authenticated and "_flashes" not in session


def cached_response(render):
    """Answer from the cache for anonymous readers; otherwise render (and keep it if cacheable)."""
    if not cacheable():
        return render()
    key = request.path
    body = page_cache().get(key)
    if body is not None:
        return current_app.response_class(body, mimetype="text/html")
    response = current_app.make_response(render())
    if response.status_code == 200:
        page_cache().put(key, response.get_data())
    return response
