"""The exchange feed sends a purged ticket again, as a tombstone without personal data.

SQLite only: the feed's ordering on PostgreSQL (transaction ids) is tested in
test_exchange_export.py, and a page there waits for every older transaction of the
cluster, which a parallel run's long load would hold back.
"""

from __future__ import annotations

from datetime import timedelta

from content.auth.models import utcnow
from content.extensions import db
from tracing_app.exchange import export
from tracing_app.retention.purge import purge
from tracing_app.tickets import operations
from tracing_app.tickets.models import CLOSED


def test_the_exchange_feed_sends_a_tombstone(app, make_ticket):
    ticket = make_ticket()
    page = export.read_page("tickets", None, 100)
    operations.set_status(ticket, CLOSED, actor=None)
    ticket.closed_dt = utcnow() - timedelta(days=600)
    db.session.commit()
    purge()
    records = export.read_page("tickets", page.next_cursor, 100).records
    assert records[-1]["kind"] == "tombstone"
    assert records[-1]["reference"] == ticket.reference
    assert "national_number_pseudonym" not in records[-1]
    assert records[-1]["status"] == CLOSED
