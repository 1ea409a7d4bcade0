"""What a published page costs a signed-in reader's request, on both databases.

A ceiling, not an exact count: a change that adds statements to the page (a lazy load,
a query per menu entry or per language) fails here. See docs/performance.md.
"""

from __future__ import annotations

import pytest

from content.extensions import db
from content.items.page_cache import page_cache
from content.multilingual import operations as multilingual
from content.workflow.operations import transition

pytestmark = pytest.mark.db

#: Statements of a signed-in reader's request for a published page in a section (10 before
#: issue #14): the session, the item at the path, its live revision.
PAGE_CEILING = 3


def test_published_page_for_a_signed_in_reader_reads_in_few_statements(
    auth, client, create_page, content_admin, count_queries, monkeypatch
):
    section = create_page(title="Procedures", slug="procedures", type="folder")
    page = create_page(title="Intake", slug="intake", parent=section, body="Hoe het begint.")
    create_page(title="Callbacks", slug="callbacks", parent=section)
    create_page(title="Contact", slug="contact")
    french = multilingual.translate(page, "fr", actor=content_admin)
    transition(french, "publish", actor=content_admin)
    db.session.commit()
    # As in production: the content version is read once a second, not at every use.
    monkeypatch.setattr(page_cache(), "check_seconds", 3600)
    auth.login_as("agent")
    client.get("/nl/procedures/intake")  # the once-a-minute last_seen write happens now

    with count_queries() as queries:
        response = client.get("/nl/procedures/intake")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Hoe het begint." in html
    assert "Contact" in html  # the site sections menu
    assert queries.commits == 0
    assert queries.lazy_loads == []
    assert queries.count <= PAGE_CEILING, queries.report()
