"""User input to safe queries, database snippets to safe HTML.

Neither the user's query nor the indexed text is trusted: queries are cut down to words
before they reach FTS5, and snippets are escaped before the highlight markers become
``<mark>`` tags.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

#: Longest query taken into account (characters); the rest is ignored.
MAX_QUERY_LENGTH = 200
#: Most words of a query taken into account.
MAX_TERMS = 12
#: Fewest letters or digits a query needs.
MIN_QUERY_LENGTH = 2

# Private-use characters: the databases wrap matched words in them. They are removed
# from indexed text, so every marker in a snippet comes from the database.
MARK_START = "\ue000"
MARK_END = "\ue001"

_WORD = re.compile(r"\w+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MARKED = re.compile(f"{MARK_START}([^{MARK_START}{MARK_END}]*){MARK_END}")


def clean_query(query: str | None) -> str:
    """Return the query without control characters, cut to ``MAX_QUERY_LENGTH``.

    A word cut in two by the limit is left out: its first half would match nothing.
    """
    # Spaces collapse below, so keep some slack; never scan megabytes of input.
    query = " ".join(_CONTROL.sub(" ", (query or "")[: MAX_QUERY_LENGTH * 4]).split())
    if len(query) > MAX_QUERY_LENGTH:
        cut = query[: MAX_QUERY_LENGTH + 1]
        query = cut.rsplit(" ", 1)[0] if " " in cut else cut[:MAX_QUERY_LENGTH]
    return query


def query_terms(query: str) -> list[str]:
    """Return the words of a query (letters and digits; everything else separates)."""
    return _WORD.findall(query)[:MAX_TERMS]


def is_searchable(query: str) -> bool:
    """Return whether a query has enough letters or digits to search for."""
    return sum(len(term) for term in query_terms(query)) >= MIN_QUERY_LENGTH


def fts5_expression(query: str) -> str | None:
    """Return an FTS5 MATCH expression finding documents with every word, or None.

    Each word becomes a quoted string, so nothing the user types (quotes, parentheses,
    ``AND``/``OR``/``NOT``/``NEAR``, ``*``, ``^``, column filters) is FTS5 syntax.
    """
    terms = query_terms(query)
    if not terms:
        return None
    return " ".join('"{}"'.format(term.replace('"', '""')) for term in terms)


def index_text(text: str) -> str:
    """Return text fit for the index: without the highlight markers."""
    return text.replace(MARK_START, "").replace(MARK_END, "")


def highlight(snippet: str | None) -> Markup:
    """Turn a snippet with highlight markers into HTML: escaped text and ``<mark>`` tags."""
    escaped = str(escape(snippet or ""))
    marked = _MARKED.sub(r"<mark>\1</mark>", escaped)
    # A marker without its partner (a cut-off snippet) is dropped, never shown.
    return Markup(index_text(marked))  # noqa: S704 - escaped above; only our <mark> added
