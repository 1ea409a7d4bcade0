"""Markdown rendering for CMS bodies: Python-Markdown, then the nh3 allow-list.

Two layers, so one slip is not enough for an exploit: Markdown never passes raw HTML
through (an editor's ``<b>`` or ``<script>`` is shown as text), and nh3 re-parses the
output with a browser-grade parser and keeps only the elements and attributes below.
Editor-facing rules are in ``docs/markdown.md``.
"""

from __future__ import annotations

import functools
import html
import re
import threading
import unicodedata

import markdown
import nh3
from markdown.extensions.toc import TocExtension, slugify_unicode
from markupsafe import Markup, escape

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_TAGS",
    "HEADING_ID_PREFIX",
    "plain_text",
    "render_inline",
    "render_markdown",
    "url_scheme",
]

#: Prefix of every heading id. Ids become global names in the browser (``window.x``) and
#: the site's frame has its own (``#main``), so a heading "Main" or "constructor" must not
#: produce a bare ``id="main"``; with the prefix no rendered id can collide or clobber.
HEADING_ID_PREFIX = "h-"
_MAX_SLUG_LENGTH = 64

ADMONITION_TYPES = frozenset(
    {"note", "warning", "tip", "important", "danger", "attention", "caution", "hint", "error"}
)

_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
ALLOWED_TAGS = frozenset(
    _HEADINGS
    | {"p", "br", "hr", "a", "img", "ul", "ol", "li", "strong", "em", "b", "i", "code", "pre"}
    | {"blockquote", "table", "thead", "tbody", "tr", "th", "td", "div", "sup", "sub"}
    | {"del", "ins"}
)
ALLOWED_ATTRIBUTES = {
    **{heading: {"id"} for heading in _HEADINGS},
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "div": {"class"},
    "p": {"class"},
}
_ALLOWED_CLASSES = {"div": {"admonition"} | ADMONITION_TYPES, "p": {"admonition-title"}}
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
IMAGE_SCHEMES = frozenset({"https"})

# + 8: room for the "_2" toc appends to a repeated heading.
_HEADING_ID = re.compile(rf"{re.escape(HEADING_ID_PREFIX)}[\w-]{{1,{_MAX_SLUG_LENGTH + 8}}}")
_NUMBER = re.compile(r"[0-9]{1,6}")
# Browsers drop these anywhere in a URL (tabs, newlines) or around it (controls, spaces);
# U+FFFD is what a NUL becomes. Removing them all is stricter than any browser.
_URL_NOISE = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028\u2029\ufeff\ufffd]")


def _heading_slug(value: str, separator: str) -> str:
    """Slug of a heading for its id: unicode letters kept, lower case, prefixed."""
    # NFC first: a decomposed "é" (e + combining accent) would otherwise lose its accent.
    slug = slugify_unicode(unicodedata.normalize("NFC", value), separator)
    return HEADING_ID_PREFIX + (slug[:_MAX_SLUG_LENGTH].strip(separator) or "section")


def url_scheme(url: str) -> str | None:
    """Return the lower-cased scheme a browser could read in ``url``, or None if relative.

    Entities are decoded until nothing changes and whitespace and control characters are
    removed, so ``&#106;ava&#x09;script:`` counts as ``javascript``.
    """
    previous = None
    while url != previous:
        previous, url = url, html.unescape(url)
    url = _URL_NOISE.sub("", url).lower()
    head = re.split(r"[/?#]", url, maxsplit=1)[0]
    return head.split(":", 1)[0] if ":" in head else None


def _filter_attribute(element: str, attribute: str, value: str) -> str | None:
    """nh3 attribute filter: narrow the allowed attributes to safe values (None drops)."""
    if attribute in {"href", "src"}:
        scheme = url_scheme(value)
        allowed = IMAGE_SCHEMES if element == "img" else LINK_SCHEMES
        return value if scheme is None or scheme in allowed else None
    if attribute == "class":
        kept = [name for name in value.split() if name in _ALLOWED_CLASSES.get(element, ())]
        return " ".join(kept) or None
    if attribute == "id":
        return value if _HEADING_ID.fullmatch(value) else None
    if attribute in {"start", "width", "height"}:
        return value if _NUMBER.fullmatch(value) else None
    return value  # alt, title and the rel nh3 adds: plain text, escaped on output


_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    attribute_filter=_filter_attribute,
    url_schemes=set(LINK_SCHEMES),
    link_rel="noopener noreferrer",
    strip_comments=True,
    id_prefix=HEADING_ID_PREFIX,
)
_TEXT_ONLY = nh3.Cleaner(tags=set(), attributes={}, link_rel=None, strip_comments=True)


def _new_markdown() -> markdown.Markdown:
    """Build a Markdown converter with the CMS extensions and without raw HTML."""
    md = markdown.Markdown(
        extensions=[
            "tables",
            "fenced_code",
            "admonition",
            "sane_lists",
            # baselevel 2: "# Heading" in a body becomes <h2>, under the page title's <h1>.
            TocExtension(slugify=_heading_slug, marker="", baselevel=2),
        ],
        output_format="html",
    )
    # Without these two, "<b>" and "<script>" would pass through as HTML; now they are
    # escaped and shown as typed. Entities (&copy;) and autolinks (<https://…>) still work.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


# A Markdown instance keeps per-document state (stash, references, toc) and is not
# thread-safe, so each thread gets its own. A lock would make renders queue behind each
# other under a threaded server; a new instance per call costs about 0.12 ms, as much as
# rendering a short paragraph, and listing pages render many short bodies.
_local = threading.local()

#: Bodies up to this length are cached; the cache holds at most ``_CACHE_SIZE`` of them.
_CACHE_MAX_LENGTH = 50_000
_CACHE_SIZE = 256


def _markdown() -> markdown.Markdown:
    md = getattr(_local, "md", None)
    if md is None:
        md = _local.md = _new_markdown()
    return md


def _render(text: str) -> Markup:
    md = _markdown()
    md.reset()  # before, not after: a render that raised may have left state behind
    return Markup(_CLEANER.clean(md.convert(text)))  # noqa: S704 - nh3 output is safe


# The output depends on the text alone, and a page is read far more often than edited:
# a cache hit costs microseconds where a 1,500-word render costs several milliseconds.
_render_cached = functools.lru_cache(maxsize=_CACHE_SIZE)(_render)


def render_markdown(text: str) -> Markup:
    """Render an editor's Markdown to sanitized HTML, safe to insert in a page.

    :param text: the Markdown source.
    :return: HTML limited to ``ALLOWED_TAGS`` and ``ALLOWED_ATTRIBUTES``.
    """
    # str(): a Markup argument would escape inside Python-Markdown's string operations.
    text = str(text)
    if len(text) > _CACHE_MAX_LENGTH:
        return _render(text)
    return _render_cached(text)


def render_inline(text: str) -> Markup:
    """Escape a title or another short field: it is plain text, never markup."""
    return escape(text)


def plain_text(markdown_text: str) -> str:
    """Return the words of a Markdown body, for search indexes and snippets.

    The result is unescaped text (it may contain ``<``): escape it when showing it.
    """
    text = html.unescape(_TEXT_ONLY.clean(str(render_markdown(markdown_text))))
    return " ".join(text.split())
