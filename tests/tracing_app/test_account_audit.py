"""The workspace audits the core's second-factor events (enrolment, recovery, reset)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from content.auth.second_factor import operations
from content.extensions import db
from tracing_app.audit.models import AuditEntry
from tracing_app.audit.operations import verify_chain


def _entries():
    return [
        (entry.action, entry.actor_id, entry.subject_id)
        for entry in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
    ]


@pytest.mark.db
def test_second_factor_events_are_in_the_audit_log(create_user):
    import pyotp

    agent = create_user(roles=["agent"])
    admin = create_user(roles=["admin"])
    _factor, secret = operations.pending_totp(agent)
    assert operations.confirm_totp(agent, pyotp.TOTP(secret).now())  # first: codes
    codes = operations.renew_recovery_codes(agent)
    db.session.commit()  # as between requests: the throttle's store writes on its own
    assert operations.check_code(agent, codes[0], "127.0.0.1").ok
    operations.reset(agent, actor=admin)
    db.session.commit()

    assert _entries() == [
        ("account.second_factor_enrolled", agent.id, str(agent.id)),
        ("account.recovery_code_used", agent.id, str(agent.id)),
        ("account.second_factor_reset", admin.id, str(agent.id)),
    ]
    assert verify_chain().ok
