"""The frame of every page (header, menus, footer), rendered once and kept per process.

The frame (``partials/chrome.html``) depends on the page's language, on whether someone
is signed in and their set of roles (the main menu), on the page's endpoint (the menu item
marked current) and on the sections the reader sees (and which one is current): that is
its key. What else it shows differs per request: the reader's name, the sign-out form's
CSRF token, the language switcher's links to this same page, and the page's own title
and content. The frame is rendered once per key with holes there, and the holes are
filled for each request; nothing personal is kept. The holes carry a random mark made per
process, so no page text can contain one. ``PAGE_CHROME_SIZE = 0`` renders the frame
afresh for each page, with the request's own values (the reference the tests compare to).
"""

from __future__ import annotations

import re
import secrets
from typing import NamedTuple

from flask import current_app, render_template, request
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup, escape

from content.i18n import language_names, select_locale
from content.items import page_cache
from content.items.views import site_sections
from content.kept import Kept
from content.web import language_hrefs

EXTENSION = "tracing.page_chrome"
TEMPLATE = "partials/chrome.html"

_MARK = secrets.token_hex(16)
_HOLE = re.compile(f"{_MARK}:([a-z]+(?::[A-Za-z_-]+)?)")  # hole names: no escaping changes them
TITLE = f"{_MARK}:title"
CONTENT = f"{_MARK}:content"
NAME = f"{_MARK}:name"
CSRF = f"{_MARK}:csrf"


def _href_hole(code: str) -> str:
    return f"{_MARK}:href:{code}"


class Chrome(NamedTuple):
    """The frame of one page, split where the page's title and content go."""

    head: Markup
    middle: Markup
    tail: Markup


#: A kept frame: for each of its three parts, text and hole names alternating.
Frame = tuple[list[str], list[str], list[str]]


def chrome_cache() -> Kept:
    """Return the app's frame cache (made on first use)."""
    cache = current_app.extensions.get(EXTENSION)
    if cache is None:
        size = current_app.config["PAGE_CHROME_SIZE"]
        cache = current_app.extensions.setdefault(EXTENSION, Kept(size))
    return cache


def page_chrome() -> Chrome:
    """Return this page's frame, its holes filled in (``base.html`` calls it)."""
    sections = _sections()
    cache = chrome_cache()
    if cache.size <= 0:
        frame = _render(sections, kept=False)
    else:
        signed_in = current_user.is_authenticated
        key = (
            select_locale(),
            str(get_locale()),
            request.script_root,
            frozenset(current_user.role_names) if signed_in else None,
            request.endpoint,
            sections,
        )
        frame = cache.get_or_make(key, lambda: _render(sections, kept=True))
    values = _Values()
    # The template's output, with escaped values in its holes.
    return Chrome(*(Markup("".join(_filled(part, values))) for part in frame))  # noqa: S704


def _sections() -> tuple[tuple[str, str, bool], ...]:
    """Return (URL, title, current) of the sections below this language's root."""
    path = request.path
    return tuple(
        (href, title, path == href or path.startswith(href + "/"))
        for href, title in site_sections()
    )


def _render(sections: tuple, kept: bool) -> Frame:
    """Render the frame, with holes for what differs per request if it is to be ``kept``."""
    holes: dict = {"title_hole": TITLE, "content_hole": CONTENT, "sections": sections}
    if kept:
        links = [
            {"code": code, "name": name, "href": _href_hole(code)}
            for code, name in language_names().items()
        ]
        holes.update(
            reader_name=lambda: NAME, csrf_token=lambda: CSRF, language_links=lambda: links
        )
    pieces = _HOLE.split(render_template(TEMPLATE, **holes))
    names = pieces[1::2]  # text and hole names alternate
    title_at, content_at = 2 * names.index("title") + 1, 2 * names.index("content") + 1
    return pieces[:title_at], pieces[title_at + 1 : content_at], pieces[content_at + 1 :]


def _filled(part: list[str], values: _Values) -> list[str]:
    """Return the part's text with the holes (odd places) filled in."""
    return [piece if i % 2 == 0 else values[piece] for i, piece in enumerate(part)]


class _Values:
    """What fills a frame's holes for this request, escaped, made when first asked for."""

    def __init__(self) -> None:
        self._hrefs: dict[str, str] | None = None

    def __getitem__(self, hole: str) -> str:
        if hole == "name":
            return str(escape(page_cache.reader_name()))
        if hole == "csrf":
            return str(escape(page_cache.csrf_token()))
        if hole.startswith("href:"):
            if self._hrefs is None:
                self._hrefs = language_hrefs()
            return str(escape(self._hrefs[hole[5:]]))
        raise KeyError(hole)
