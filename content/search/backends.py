"""The full-text queries of each database: SQLite FTS5 and PostgreSQL text search.

Both filter by language and variant, rank titles above text, and return snippets whose
matched words are wrapped in the private markers of ``content.search.text``, which
``highlight`` turns into safe HTML.
"""

from __future__ import annotations

import html
from typing import NamedTuple, Protocol

from markupsafe import Markup
from sqlalchemy import text

from content.extensions import db
from content.search.text import MARK_END, MARK_START, fts5_expression, highlight

#: PostgreSQL text search configuration per language; others get "simple" (no stemming).
#: Keep in step with the generated ``tsv`` column of migration 3f1a5e0c7b21.
TEXT_SEARCH_CONFIGS = {"nl": "dutch", "fr": "french", "de": "german", "en": "english"}


class SearchHit(NamedTuple):
    """One result: the item, its title in the searched variant and a highlighted snippet."""

    item_id: int
    path: str
    title: str
    snippet_html: Markup
    state: str


class SearchBackend(Protocol):
    """The full-text queries of one database."""

    def search(
        self, language: str, variant: str, query: str, limit: int, offset: int
    ) -> list[SearchHit]:
        """Return matching documents, best first."""

    def count(self, language: str, variant: str, query: str) -> int:
        """Return how many documents match."""


class SqliteSearch:
    """FTS5: every word of the query must occur; porter stems English words only."""

    # snippet(): column 1 (text), at most 24 tokens; bm25(): a title match weighs 10 times.
    _SEARCH = text(
        "SELECT d.item_id, i.path, d.title, i.state, "
        "snippet(search_fts, 1, :start, :end, '…', 24) AS snippet "
        "FROM search_fts JOIN search_documents d ON d.id = search_fts.rowid "
        "JOIN content_items i ON i.id = d.item_id "
        "WHERE search_fts MATCH :match AND d.language = :language AND d.variant = :variant "
        "ORDER BY bm25(search_fts, 10.0, 1.0), d.item_id LIMIT :limit OFFSET :offset"
    )
    _COUNT = text(
        "SELECT count(*) FROM search_fts JOIN search_documents d ON d.id = search_fts.rowid "
        "WHERE search_fts MATCH :match AND d.language = :language AND d.variant = :variant"
    )

    def search(
        self, language: str, variant: str, query: str, limit: int, offset: int
    ) -> list[SearchHit]:
        """Return matching documents, best first."""
        match = fts5_expression(query)
        if match is None:
            return []
        result = db.session.execute(
            self._SEARCH,
            {
                "match": match,
                "language": language,
                "variant": variant,
                "start": MARK_START,
                "end": MARK_END,
                "limit": limit,
                "offset": offset,
            },
        )
        return [_row(*values) for values in result]

    def count(self, language: str, variant: str, query: str) -> int:
        """Return how many documents match."""
        match = fts5_expression(query)
        if match is None:
            return 0
        params = {"match": match, "language": language, "variant": variant}
        return db.session.execute(self._COUNT, params).scalar_one()


class PostgresSearch:
    """Text search with the language's configuration (stemming, stop words).

    ``websearch_to_tsquery`` accepts any input: words must all occur, ``"a phrase"``,
    ``or`` and ``-word`` work as on web search engines.
    """

    # Headlines are costly: rank and cut in the CTE first, then build one per shown hit.
    # The headline parser drops anything that looks like a tag ("<b>"), so it gets the text
    # HTML-escaped (entities survive intact) and ``_unescaped_row`` reverses that.
    _SEARCH = text(
        "WITH matches AS ("
        "SELECT d.item_id, d.title, d.text, q.query, ts_rank(d.tsv, q.query) AS rank "
        "FROM search_documents d, "
        "websearch_to_tsquery(CAST(:config AS regconfig), :query) AS q(query) "
        "WHERE d.language = :language AND d.variant = :variant AND d.tsv @@ q.query "
        "ORDER BY rank DESC, d.item_id LIMIT :limit OFFSET :offset) "
        "SELECT m.item_id, i.path, m.title, i.state, "
        "ts_headline(CAST(:config AS regconfig), "
        "replace(replace(replace(m.text, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), "
        "m.query, :options) AS snippet "
        "FROM matches m JOIN content_items i ON i.id = m.item_id "
        "ORDER BY m.rank DESC, m.item_id"
    )
    _COUNT = text(
        "SELECT count(*) FROM search_documents d "
        "WHERE d.language = :language AND d.variant = :variant "
        "AND d.tsv @@ websearch_to_tsquery(CAST(:config AS regconfig), :query)"
    )
    _HEADLINE_OPTIONS = (
        f'StartSel="{MARK_START}", StopSel="{MARK_END}", MaxWords=30, MinWords=12, '
        'MaxFragments=2, FragmentDelimiter=" … "'
    )

    def search(
        self, language: str, variant: str, query: str, limit: int, offset: int
    ) -> list[SearchHit]:
        """Return matching documents, best first."""
        params = self._params(language, variant, query)
        params.update(limit=limit, offset=offset, options=self._HEADLINE_OPTIONS)
        return [_unescaped_row(*values) for values in db.session.execute(self._SEARCH, params)]

    def count(self, language: str, variant: str, query: str) -> int:
        """Return how many documents match."""
        params = self._params(language, variant, query)
        return db.session.execute(self._COUNT, params).scalar_one()

    @staticmethod
    def _params(language: str, variant: str, query: str) -> dict:
        config = TEXT_SEARCH_CONFIGS.get(language, "simple")
        return {"config": config, "query": query, "language": language, "variant": variant}


def _row(item_id: int, path: str, title: str, state: str, snippet: str | None) -> SearchHit:
    return SearchHit(item_id, path, title, highlight(snippet), state)


def _unescaped_row(item_id: int, path: str, title: str, state: str, snippet: str) -> SearchHit:
    # Back to plain text, whatever the database returned; ``highlight`` escapes it all.
    return _row(item_id, path, title, state, html.unescape(snippet))


def for_session() -> SearchBackend:
    """Return the backend of the database the session talks to."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        return PostgresSearch()
    if dialect == "sqlite":
        return SqliteSearch()
    raise NotImplementedError(f"Search is not available on {dialect}")
