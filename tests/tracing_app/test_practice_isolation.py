"""Practice never reaches real data: lookups, exports, dashboards, metrics, the audit log.

A learner makes practice calls with fictitious citizens through the web; then every
surface of real data is asked for them (and for any change at all): the ticket lookup by
phone and by name and birth date, the supervisors' dashboard figures, the metrics of the
queues, the audit screen's unusual activity, and the rows of every workspace table that
exports, retention and the audit read (practice has tables of its own).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from content.auth.models import utcnow
from content.extensions import db
from content.plugins import hook
from tests.fixtures.web import csrf_token
from tracing_app.audit.unusual import unusual_hours
from tracing_app.calls import stats
from tracing_app.practice.models import PracticeCall
from tracing_app.practice.scenarios import install_scenarios
from tracing_app.protection import blind_index as bi
from tracing_app.seed.scripts import install_demo_scripts
from tracing_app.tickets.lookup import lookup

pytestmark = pytest.mark.db


def _workspace_tables() -> list:
    """Every table of the workspace's real data (its models), practice's own excepted."""
    return sorted(
        {
            mapper.local_table
            for mapper in db.Model.registry.mappers
            if mapper.class_.__module__.startswith("tracing_app.")
            and not mapper.class_.__module__.startswith("tracing_app.practice.")
        },
        key=lambda table: table.name,
    )


def _surfaces(app, now) -> dict:
    figures = stats.dashboard(now=now)
    metrics = [
        (family.name, [(s.labels, s.value) for s in family.samples])
        for families in hook(app).tracing_metrics(app=app)
        for family in families
    ]
    return {
        "rows": {t.name: db.session.scalar(select(func.count()).select_from(t))
                 for t in _workspace_tables()},
        "queues": [(r.campaign.id, r.due, r.later, r.claimed, r.done, r.not_reached)
                   for r in figures.queues],
        "outcomes": figures.outcomes_today,
        "agents_active": figures.agents_active,
        "callbacks": figures.callbacks_due,
        "metrics": metrics,
        "unusual": unusual_hours(now=now, hours=24),
    }  # fmt: skip


def test_practice_calls_never_appear_in_real_data(app, client, auth, make_campaign):
    install_demo_scripts()
    install_scenarios()
    make_campaign(name="Real campaign")
    db.session.commit()
    learner = auth.login_as("agent", locale="fr")
    assert "practice_calls" not in {t.name for t in _workspace_tables()}
    assert {"tickets", "call_orders", "audit_log", "form_responses"} <= {
        t.name for t in _workspace_tables()
    }
    now = utcnow()
    before = _surfaces(app, now)

    url = "/fr/practice/inbound-test-result"
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    answers = {
        "call_direction": "inbound", "call_reason": "test_result", "caller_role": "self",
        "full_name": "Jonas Übung", "birth_date": "1988-01-20", "phone": "+32 470 00 03 03",
        "postcode": "1000", "preferred_language": "fr", "test_date": yesterday,
        "test_status": "pending", "escalate": "no", "call_completed": "OK",
    }  # fmt: skip
    done = client.post(
        url,
        data={"csrf_token": csrf_token(client, url), "_action": "complete", "outcome": "reached",
              **answers},
    )  # fmt: skip
    assert done.status_code == 302, done.get_data(as_text=True)
    call = db.session.scalar(select(PracticeCall))
    assert call is not None
    assert call.passed

    assert _surfaces(app, now) == before
    # The fictitious citizen is not found by an agent's lookup either.
    assert lookup(bi.PHONE, "+32 470 00 03 03", actor=learner, reason="rappel") == []
    assert (
        lookup(bi.NAME_BIRTH_DATE, ("Übung", dt.date(1988, 1, 20)), actor=learner, reason="rappel")
        == []
    )
