"""Reader passes: a signed-in reader's public pages without reading their session row.

A page kept for signed-in readers (``content.items.page_cache``) is a page any visitor may
read, inside a header of the reader's own: their name and a menu made from their roles.
To answer it, the session row need not be read at every request: each process keeps, per
session token, what the last full check of the session found (the user, their roles and
name), for ``READER_PASS_SECONDS``. Every other request, and every page that is not kept,
still checks the session row, so nothing but a public page is ever shown on a pass.

What a pass can show after the session ended on another host (a copied cookie): public
pages with the reader's name and menu for at most ``READER_PASS_SECONDS``; the process that
ends a session or changes a user's roles drops their passes at once. A pass never outlives
the need to write ``last_seen`` (``LAST_SEEN_GRANULARITY``), so idle timeouts stay exact.

A few signed-in pages that only read (a learner's lesson: training material and their own
"done" marks) are answered on a pass too; their views say so with :func:`on_reader_pass`
and write nothing unless the session has been checked in full (decision 52 in
docs/decisions.md).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

#: Passes one process keeps at most (the least recently used go first).
SIZE = 20_000

F = TypeVar("F", bound=Callable[..., Any])


def on_reader_pass(view: F) -> F:
    """Let a fresh reader pass open this view's GETs for any signed-in user.

    Only for views that declare ``AUTHENTICATED``, read nothing but training material and
    the reader's own records, and check the session in full before they write
    (``sessions.checked_user``).
    """
    view.on_reader_pass = True  # type: ignore[attr-defined]
    return view


def allowed_on_reader_pass(view: Callable[..., Any]) -> bool:
    """Return whether a reader pass may open the view (see :func:`on_reader_pass`)."""
    return getattr(view, "on_reader_pass", False)


@dataclass(frozen=True)
class ReaderPass:
    """What a full check of a session found, enough to answer a kept page."""

    user_id: int
    roles: str  # the sorted role names, comma-separated: the kept page's variant
    display_name: str
    sees_drafts: bool  # editors: their pages are never kept
    checked_at: float  # time.monotonic()


class ReaderPasses:
    """Passes by session token hash, made at most ``seconds`` ago (thread-safe LRU)."""

    def __init__(self, seconds: float) -> None:
        """Keep passes for ``seconds`` (0: never keep one)."""
        self.seconds = seconds
        self._passes: OrderedDict[str, ReaderPass] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, token_hash: str, user_id: str) -> ReaderPass | None:
        """Return the fresh pass of this token for the user the cookie names, else None."""
        with self._lock:
            found = self._passes.get(token_hash)
            if found is None:
                return None
            if time.monotonic() - found.checked_at >= self.seconds or str(found.user_id) != user_id:
                del self._passes[token_hash]
                return None
            self._passes.move_to_end(token_hash)
            return found

    def keep(self, token_hash: str, user) -> ReaderPass:
        """Keep (and return) a pass for a user whose session was checked just now."""
        made = ReaderPass(
            user.id,
            ",".join(sorted(user.role_names)),
            user.display_name,
            user.can("content.view_drafts"),
            time.monotonic(),
        )
        if self.seconds > 0:
            with self._lock:
                self._passes[token_hash] = made
                self._passes.move_to_end(token_hash)
                while len(self._passes) > SIZE:
                    self._passes.popitem(last=False)
        return made

    def forget(self, *, token_hash: str | None = None, user_id: int | None = None) -> None:
        """Drop the pass of a session, or every pass of a user."""
        with self._lock:
            if token_hash is not None:
                self._passes.pop(token_hash, None)
            if user_id is not None:
                for key in [k for k, v in self._passes.items() if v.user_id == user_id]:
                    del self._passes[key]
