"""The supervisors' live wallboard: a page, its fragment, and a Server-Sent Events stream.

The page works without JavaScript (it reloads itself every ``WALLBOARD_REFRESH_SECONDS``);
with JavaScript it listens to the stream, which sends the board's fragment whenever the
board changed. The stream is fed by the database, so any app host sees changes made on
any other: PostgreSQL wakes it with LISTEN/NOTIFY (``board.changed``), SQLite by polling
the board's version. A stream ends after ``WALLBOARD_STREAM_SECONDS`` (the browser
reconnects at once, and the session is checked again).
"""

from __future__ import annotations

import functools
import threading
import time

from flask import Response, current_app, g, render_template, request

from content.auth.models import utcnow
from content.auth.roles import requires
from content.extensions import db
from tracing_app.calls import board, listener
from tracing_app.calls.wallboard import read_board

SUPERVISE = "calls.supervise"
#: A comment line this often keeps proxies from closing a quiet stream.
KEEPALIVE_SECONDS = 15
#: The fragments of the latest board versions, shared by this host's streams: with many
#: supervisors, a change is read and rendered once per host, not once per stream. Keyed
#: by the board's version (read from the database), so every host serves what it shows.
_rendered: dict[tuple[str, ...], str] = {}
_rendering = threading.Lock()


def _fragment() -> str:
    figures = read_board(now=utcnow())
    html = render_template("calls/_wallboard.html", board=figures)
    db.session.rollback()  # no transaction (nor pooled connection) held between updates
    return html


@requires(SUPERVISE)
def wallboard():
    """The wallboard page (live with JavaScript, reloading itself without)."""
    return render_template(
        "calls/wallboard.html",
        fragment=_fragment(),
        refresh=current_app.config.get("WALLBOARD_REFRESH_SECONDS", 15),
    )


@requires(SUPERVISE)
def wallboard_fragment():
    """The board alone (for a page that lost its stream)."""
    return _fragment()


def _shared_fragment(version: str) -> str:
    """The fragment of this board version in the page's language, rendered once per host."""
    key = (current_app.name, str(db.engine.url), version, str(g.lang_code))
    with _rendering:
        html = _rendered.get(key)
        if html is None:
            html = _fragment()
            if len(_rendered) > 16:
                _rendered.clear()
            _rendered[key] = html
    return html


def _event(html: str) -> str:
    data = "".join(f"data: {line}\n" for line in html.splitlines() or [""])
    return f"event: board\n{data}\n"


@requires(SUPERVISE)
def wallboard_stream():
    """Server-Sent Events: the board's fragment, sent again whenever it changed."""
    config = current_app.config
    poll = float(config.get("WALLBOARD_POLL_SECONDS", 1.0))
    spacing = float(config.get("WALLBOARD_MIN_INTERVAL_SECONDS", 0.5))
    lifetime = float(config.get("WALLBOARD_STREAM_SECONDS", 300))

    app = current_app._get_current_object()
    environ, lang_code = request.environ, g.lang_code

    def step(read):
        # A request context of its own for each read (the language of the templates, the
        # blueprint's context, a database session returned at once), never held across a
        # ``yield``: the body is sent after this view returned, maybe from another context.
        with app.request_context(environ):
            g.lang_code = lang_code
            return read()

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}  # nginx: no buffering
    return Response(
        _updates(step, poll, lifetime, db.engine.url, spacing),
        mimetype="text/event-stream",
        headers=headers,
    )


def _updates(step, poll: float, lifetime: float, url, spacing: float = 0.0):
    """Yield the board now, then again at each change, until ``lifetime`` seconds passed.

    Events are at least ``spacing`` seconds apart: a burst of changes becomes one update.
    """
    deadline = time.monotonic() + lifetime
    last_sent = time.monotonic()
    seen = step(board.version)
    yield "retry: 1000\n" + _event(step(lambda: _shared_fragment(seen)))
    with listener.listen(url) as wake:
        while time.monotonic() < deadline:
            wake(poll)  # returns early on a NOTIFY (PostgreSQL), else after ``poll``
            time.sleep(max(0.0, last_sent + spacing - time.monotonic()))
            version = step(board.version)
            if version != seen:
                seen = version
                last_sent = time.monotonic()
                yield _event(step(functools.partial(_shared_fragment, version)))
            elif time.monotonic() - last_sent > KEEPALIVE_SECONDS:
                last_sent = time.monotonic()
                yield ": keepalive\n\n"
