"""Values a process keeps of what never changes once made: parsed questions, markup.

For values derived from rows that are never changed (a question version an attempt asked,
a published script version), so they are kept without a version check, least recently
used dropped first. Keys carry the page cache's ``generation``: clearing it (tests, a
restore from backup, where ids may be reused) drops these values too. Used by the LMS
(questions and their markup) and the workspace (a script's question markup).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app

from content.items.page_cache import page_cache

T = TypeVar("T")


class Kept:
    """Values by key, least recently used dropped first; safe across threads."""

    def __init__(self, size: int) -> None:
        """Keep at most ``size`` values."""
        self.size = size
        self._values: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_make(self, key: Hashable, make: Callable[[], T]) -> T:
        """Return the value kept under ``key`` (with the generation), making it if needed."""
        key = (page_cache().generation, key)
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]  # type: ignore[return-value]
        value = make()
        with self._lock:
            self._values[key] = value
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value


def kept(name: str, size: int) -> Kept:
    """Return the app's values kept under ``name`` (made on first use)."""
    extension = f"kept.{name}"
    values = current_app.extensions.get(extension)
    if values is None:
        values = current_app.extensions.setdefault(extension, Kept(size))
    return values
