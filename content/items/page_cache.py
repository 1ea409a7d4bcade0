"""A cache of the pages readers see, checked against a content version.

Every change visitors could notice (a save, a workflow step, a move) bumps one counter in
the database. Each process keeps rendered pages with the version they were made at, and
reads the counter at most once per ``PAGE_CACHE_CHECK_SECONDS``: a publication shows to
visitors on every host within that time. Only derived data is kept in memory, so any
host can answer any request.

Signed-in readers who see no drafts read the same page as visitors, with their own
header: a menu that depends only on their roles, their name and the sign-out form's CSRF
token. Their pages are kept per path and set of roles with placeholders where the name
and the token go, filled in for each request. The placeholders carry a random mark made
per process, so no page text can contain one. Content types whose reader template shows
the reader's own data (enrolment, attempts) say so (``ContentType.personal``) and are
never kept.
"""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Response, current_app, g, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import escape
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from content.auth.reader_passes import ReaderPass
from content.auth.redirects import redirect_to_login
from content.auth.sessions import signed_in_reader
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


def bump_content_version(session=None) -> None:
    """Record that visitors may see something new (in the caller's transaction).

    :param session: the session whose transaction it is (a flush event's); ``db.session``
        by default.
    """
    session = session if session is not None else db.session
    result = session.execute(update(ContentState).values(version=ContentState.version + 1))
    if result.rowcount == 0:  # the migration inserts the row; an emptied table gets it back
        session.add(ContentState(id=1, version=1))


#: The flush listeners of :func:`bump_version_on_flush`, by the types they watch.
_FLUSH_WATCHERS: dict[tuple[tuple[type, ...], tuple[type, ...]], Callable] = {}


def bump_version_on_flush(*, new: tuple[type, ...], changed: tuple[type, ...]) -> None:
    """Bump the content version in every flush that adds, deletes or modifies a watched row.

    ``new``: the types whose new rows count; ``changed``: those whose deleted or modified
    rows count. The bump is in the writer's transaction, so it commits or rolls back with
    the change, whoever wrote it through the ORM. Registered once per pair of types.
    """
    key = (new, changed)
    if key in _FLUSH_WATCHERS:
        return

    def bump_on_change(session, _flush_context, _instances) -> None:
        # The type before is_modified: every flush passes here (an exam attempt's save
        # has a dozen dirty rows, none of them watched).
        touched = itertools.chain(
            (obj for obj in session.new if isinstance(obj, new)),
            (obj for obj in session.deleted if isinstance(obj, changed)),
            (
                obj
                for obj in session.dirty
                if isinstance(obj, changed) and session.is_modified(obj, include_collections=False)
            ),
        )
        if next(touched, None) is not None:
            bump_content_version(session)

    _FLUSH_WATCHERS[key] = bump_on_change
    event.listen(Session, "before_flush", bump_on_change)


def page_cache() -> PageCache:
    """Return the app's page cache."""
    return current_app.extensions["tracing.page_cache"]


_MARK = secrets.token_hex(16)
#: Where a signed-in reader's name and CSRF token go in a kept page.
NAME_PLACEHOLDER = f"{_MARK}:name"  # no character that escaping changes
CSRF_PLACEHOLDER = f"{_MARK}:csrf"
_RENDERING_SHARED = "_page_cache_placeholders"


def reader_name() -> str:
    """The signed-in reader's name in the header (a placeholder in a page being kept)."""
    if g.get(_RENDERING_SHARED):
        return NAME_PLACEHOLDER
    return current_user.display_name


def csrf_token() -> str:
    """Flask-WTF's ``csrf_token()`` for templates (a placeholder in a page being kept)."""
    if g.get(_RENDERING_SHARED):
        return CSRF_PLACEHOLDER
    return generate_csrf()


def cache_key() -> tuple[str | None, ReaderPass | None]:
    """Return the key of this request's page in the cache (None: render it) and its reader.

    Visitors share one page per path; signed-in readers who see no drafts one per path and
    set of roles (their menu); editors, messages waiting and query strings get fresh pages.
    """
    if (
        current_app.config["PAGE_CACHE_SIZE"] <= 0
        or request.method != "GET"
        or request.query_string
    ):
        return None, None
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        return request.path, None  # no session: anonymous, no message waiting
    if "_flashes" in session:
        return None, None
    reader = signed_in_reader()
    if reader is None:
        return request.path, None
    if reader.sees_drafts:
        return None, reader
    return f"{request.path}\n{reader.roles}", reader


def not_for_sharing() -> None:
    """Mark the page being rendered as showing the reader's own data: never keep it."""
    g.page_not_shared = True


def cached_response(render):
    """Answer from the cache when this request's page is kept; otherwise render (and keep it)."""
    key, reader = cache_key()
    if key is None:
        return render()
    body = page_cache().get(key)
    if body is not None:
        return current_app.response_class(
            body if reader is None else _fill_in(body, reader.display_name), mimetype="text/html"
        )
    with _placeholders(reader is not None):
        response = current_app.make_response(render())
    if response.direct_passthrough:  # a file: no template, no placeholder
        return response
    body = response.get_data()
    # A pass can outlive its session by a few seconds: rendered for nobody, keep nothing.
    ended = reader is not None and not current_user.is_authenticated
    if response.status_code == 200 and not ended and not (reader and _personal(body)):
        page_cache().put(key, body)
    if reader is not None:
        response.set_data(_fill_in(body, reader.display_name))
    return response


def kept_for_readers(variant: str, render: Callable[[], str]) -> str | bytes | Response:
    """Render a signed-in reader's page once per variant and set of roles; fill it in.

    For views that checked access themselves and whose page differs between two readers
    with the same roles only by their name, their CSRF token and what ``variant`` names
    (a "done" mark, say). Editors (they may see drafts) and pages with a message waiting
    are rendered afresh; kept pages go stale with the content version. A view opened on a
    reader pass (``on_reader_pass``) answers a kept page without reading the session; what
    must be rendered is rendered for the session checked in full (the login page if it
    ended since the pass was made).
    """
    reader = signed_in_reader()
    if reader is None:
        return redirect_to_login()
    if not _fresh_for(reader.sees_drafts):
        body = page_cache().get(f"{request.path}\n{variant}\n{reader.roles}")
        if body is not None:
            return _fill_in(body, reader.display_name)
    # Rendering: for the session checked in full, whatever the pass said.
    user = current_user
    if not user.is_authenticated:  # a pass that outlived its session
        return redirect_to_login()
    if _fresh_for(user.can("content.view_drafts")):
        return render()
    key = f"{request.path}\n{variant}\n{','.join(sorted(user.role_names))}"
    with _placeholders(True):
        body = render().encode()
    if not _personal(body):
        page_cache().put(key, body)
    return _fill_in(body, user.display_name)


def _fresh_for(sees_drafts: bool) -> bool:
    """Return whether a signed-in reader's page must be rendered afresh (never kept)."""
    return current_app.config["PAGE_CACHE_SIZE"] <= 0 or "_flashes" in session or sees_drafts


@contextmanager
def _placeholders(wanted: bool) -> Iterator[None]:
    """Render with placeholders for the reader's name and CSRF token (if ``wanted``)."""
    setattr(g, _RENDERING_SHARED, wanted)
    try:
        yield
    finally:
        setattr(g, _RENDERING_SHARED, False)


def _personal(body: bytes) -> bool:
    """Return whether a signed-in reader's page must not be kept for others.

    Its type said so, or this reader's own CSRF token is in it (a template that asked for
    the token some other way than ``csrf_token()``): kept, it would go to other readers.
    """
    return bool(g.get("page_not_shared")) or generate_csrf().encode() in body


def _fill_in(body: bytes, name: str) -> bytes:
    """Put this reader's name and CSRF token where a kept page has placeholders."""
    return body.replace(NAME_PLACEHOLDER.encode(), str(escape(name)).encode()).replace(
        CSRF_PLACEHOLDER.encode(), generate_csrf().encode()
    )
