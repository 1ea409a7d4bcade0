"""What every reader of a language sees alike, derived once per content version.

Menus, section trees, breadcrumbs and language alternatives depend on the published
content only, not on the reader, as long as the reader sees no drafts. Each process keeps
them as plain values (URLs and titles, never ORM objects) stamped with the content version
of the page cache (:mod:`content.items.page_cache`), so a change readers could notice
makes them stale on every host within ``PAGE_CACHE_CHECK_SECONDS``, as for the cached
pages. Readers who may see drafts always get them made afresh.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app

from content.auth.sessions import reader_may_see_drafts
from content.items.page_cache import page_cache

T = TypeVar("T")

EXTENSION = "tracing.fragments"


class FragmentCache:
    """Values by key, each stamped with the content version it was made at (LRU)."""

    def __init__(self, size: int) -> None:
        """Keep at most ``size`` values."""
        self.size = size
        self._values: OrderedDict[Hashable, tuple[tuple[int, int], object]] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_make(self, key: Hashable, make: Callable[[], T]) -> T:
        """Return the value made at the current version, making (and keeping) it if needed."""
        pages = page_cache()
        version = (pages.version(), pages.generation)  # a cleared page cache clears these
        with self._lock:
            entry = self._values.get(key)
            if entry is not None and entry[0] == version:
                self._values.move_to_end(key)
                return entry[1]  # type: ignore[return-value]
        value = make()
        with self._lock:
            self._values[key] = (version, value)
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget every value (tests, or after a restore from backup)."""
        with self._lock:
            self._values.clear()


def fragment_cache() -> FragmentCache:
    """Return the app's fragment cache (made on first use)."""
    cache = current_app.extensions.get(EXTENSION)
    if cache is None:
        cache = current_app.extensions.setdefault(
            EXTENSION, FragmentCache(max(64, current_app.config["PAGE_CACHE_SIZE"] * 4))
        )
    return cache


def shared(key: Hashable, make: Callable[[], T]) -> T:
    """Return ``make()``, shared by every reader who sees no drafts until content changes.

    :param key: names the value and everything it depends on besides the content, e.g.
        ``("sections", "nl")``. ``make`` must return plain values, never ORM objects.
    """
    if reader_may_see_drafts():
        return make()
    return fragment_cache().get_or_make(key, make)
