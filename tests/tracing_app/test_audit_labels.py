"""The audit log's codes are shown in words, in the reader's language."""

from __future__ import annotations

import json

from flask_babel import force_locale

from tests.fixtures.web import translated
from tracing_app.audit import labels


def test_codes_become_words_and_unknown_ones_stay(app):
    details = json.dumps({"fields": ["first_name", "birth_date"], "source": "calls.import"})
    with app.test_request_context(), force_locale("nl"):
        assert labels.action_label("ticket.view") == translated("nl", "opened")
        assert labels.action_label("document.issued") == translated("nl", "document issued")
        assert labels.action_label("plugin.something") == "plugin.something"
        assert labels.reason_label("supervision") == translated("nl", "supervision")
        assert labels.reason_label("inbound callback") == "inbound callback"  # typed by an agent
        assert labels.actor_label("system") == translated("nl", "the system")
        text = labels.details_text(details)
    assert text == (
        f"{translated('nl', 'fields')}: {translated('nl', 'First name')}, "
        f"{translated('nl', 'Birth date')}; {translated('nl', 'source')}: "
        f"{translated('nl', 'call import')}"
    )
    assert "first_name" not in text


def test_the_audit_screen_shows_words_not_codes(client, auth, make_ticket):
    ticket = make_ticket()
    auth.login_as("supervisor")
    client.get(f"/nl/tickets/{ticket.reference}")
    page = client.get("/nl/tickets/audit").get_data(as_text=True)
    rows = page.split("<tbody>")[1]
    assert translated("nl", "opened") in rows
    assert translated("nl", "created") in rows
    assert "ticket.view" not in rows
    assert "first_name" not in rows
