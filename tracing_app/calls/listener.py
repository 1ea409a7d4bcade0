"""Wait for the wallboard's NOTIFY on PostgreSQL (one listening connection per stream).

On other databases the wait is a plain sleep: the stream polls the board's version.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator

from sqlalchemy.engine import URL

from tracing_app.calls.board import CHANNEL


@contextlib.contextmanager
def listen(url: URL) -> Iterator[Callable[[float], None]]:
    """Yield ``wait(seconds)``: returns at the next notification, or after ``seconds``."""
    if url.get_backend_name() != "postgresql":
        yield time.sleep
        return
    import psycopg  # only with PostgreSQL

    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"LISTEN {CHANNEL}")

        def wait(seconds: float) -> None:
            for _note in conn.notifies(timeout=seconds, stop_after=1):
                break

        yield wait
