"""The supervisor's audit screen shows accounts with unusually many lookups or claims per hour."""

from __future__ import annotations

import datetime as dt

import pytest

from content.auth.models import utcnow
from tests.fixtures.web import translated
from tracing_app.audit import operations as audit
from tracing_app.audit.unusual import unusual_hours

pytestmark = pytest.mark.db


def _record(monkeypatch, actor, action: str, times: int, at: dt.datetime) -> None:
    """Write ``times`` audit entries of ``action`` by ``actor``, stamped ``at``."""
    with monkeypatch.context() as patch:
        patch.setattr(audit, "utcnow", lambda: at)
        for _ in range(times):
            audit.record(action, actor=actor, subject_type="ticket", subject_id="")


@pytest.fixture
def an_hour_ago():
    """Ten past the previous clock hour (UTC): every entry falls in one hour of the window."""
    return utcnow().replace(minute=10, second=0, microsecond=0) - dt.timedelta(hours=1)


@pytest.fixture
def low_limits(app, monkeypatch):
    """Thresholds of 3 lookups and 2 claims per hour."""
    monkeypatch.setitem(app.config, "AUDIT_UNUSUAL_LOOKUPS_PER_HOUR", 3)
    monkeypatch.setitem(app.config, "AUDIT_UNUSUAL_CLAIMS_PER_HOUR", 2)


def test_accounts_over_a_threshold_are_listed_busiest_first(
    app, create_user, monkeypatch, an_hour_ago, low_limits
):
    reader, claimer, normal = (create_user(roles=["agent"]) for _ in range(3))
    _record(monkeypatch, reader, "ticket.search", 5, an_hour_ago)
    _record(monkeypatch, claimer, "calls.claim", 3, an_hour_ago)
    _record(monkeypatch, normal, "ticket.search", 3, an_hour_ago)  # at the limit: usual
    _record(monkeypatch, normal, "calls.claim", 2, an_hour_ago)
    # Many lookups, but spread over two days: never more than the limit in one hour.
    for day in range(2):
        _record(monkeypatch, normal, "ticket.search", 3, an_hour_ago - dt.timedelta(hours=day + 2))
    audit.db.session.commit()

    rows = unusual_hours(now=utcnow(), hours=24)

    assert [(r.actor_id, r.action, r.count, r.threshold) for r in rows] == [
        (reader.id, "ticket.search", 5, 3),
        (claimer.id, "calls.claim", 3, 2),
    ]
    assert rows[0].hour_dt == an_hour_ago.replace(minute=0)


def test_only_the_window_counts(app, create_user, monkeypatch, an_hour_ago, low_limits):
    agent = create_user(roles=["agent"])
    _record(monkeypatch, agent, "ticket.search", 9, an_hour_ago - dt.timedelta(hours=30))
    audit.db.session.commit()
    assert unusual_hours(now=utcnow(), hours=24) == []
    assert len(unusual_hours(now=utcnow(), hours=48)) == 1


def test_the_panel_on_the_audit_screen_is_translated(
    client, auth, create_user, monkeypatch, an_hour_ago, low_limits
):
    agent = create_user(roles=["agent"], display_name="Quick Quentin")
    _record(monkeypatch, agent, "ticket.search", 4, an_hour_ago)
    audit.db.session.commit()
    auth.login_as("supervisor", locale="fr")

    page = client.get("/fr/tickets/audit").get_data(as_text=True)

    assert translated("fr", "Unusual activity") in page
    assert translated("fr", "Ticket lookups") in page
    assert "Quick Quentin" in page
    assert "<strong>4</strong>" in page
    assert f"{an_hour_ago:%Y-%m-%d %H}:00" in page
    assert f"actor={agent.email}&amp;action=ticket.search" in page  # a link to their entries


def test_without_unusual_activity_the_panel_says_so(client, auth):
    auth.login_as("supervisor", locale="en")
    page = client.get("/en/tickets/audit").get_data(as_text=True)
    assert "No account stands out." in page
    assert "more than 20 ticket lookups or 40 calls taken within one hour" in page
