"""Account security events of the core, written to the audit log of the workspace.

The core has no audit log; it sends signals (``content/signals.py``). Whoever can open
personal data signs in with a second factor, so its changes are audited: enrolment,
an administrator's reset, and sign-ins that spent a recovery code.
"""

from __future__ import annotations

from flask import Flask

from content import signals
from tracing_app.audit import operations as audit


def _enrolled(sender, *, user, kind, **_extra) -> None:
    audit.record(
        "account.second_factor_enrolled",
        actor=user,
        subject_type="user",
        subject_id=user.id,
        details={"kind": kind},
    )


def _used(sender, *, user, method, **_extra) -> None:
    if method == "recovery-code":  # the unusual way in; codes and apps are everyday
        audit.record(
            "account.recovery_code_used", actor=user, subject_type="user", subject_id=user.id
        )


def _reset(sender, *, user, actor, **_extra) -> None:
    audit.record(
        "account.second_factor_reset", actor=actor, subject_type="user", subject_id=user.id
    )


def connect(app: Flask) -> None:
    """Audit the second-factor events of this app (sender-bound, idempotent)."""
    signals.second_factor_enrolled.connect(_enrolled, sender=app)
    signals.second_factor_used.connect(_used, sender=app)
    signals.second_factor_reset.connect(_reset, sender=app)
