"""Rules of practice calls: check a call against its scenario, record it, count what passed.

Operations flush; the caller commits. A passed practice call asks the LMS to issue the
certificates it completes (the ``tracing_certification_missing`` hook answers from here).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from flask import current_app, g, has_request_context, url_for
from sqlalchemy import select

from content.extensions import db
from content.gates import GateRefusal
from content.i18n import _, ngettext
from lms.certification.operations import issue_if_earned
from tracing_app.practice.models import PracticeCall, PracticeScenario
from tracing_app.practice.scenarios import active_scenarios, text
from tracing_app.protection.crypto import context_for, decrypt, encrypt
from tracing_app.protection.keyring import current_key_ring
from tracing_app.protection.registry import EncryptedTable, register_encrypted_table
from tracing_app.scripts import operations as scripts
from tracing_app.scripts.models import Script, ScriptVersion
from tracing_app.workspace import GATE

ANSWERS = "answers"

# Key rotation re-encrypts practice answers like a real form's.
register_encrypted_table(EncryptedTable(PracticeCall.__table__, {ANSWERS: "answers_enc"}))


@dataclass
class Feedback:
    """What the learner reads after a call: each check, met or not, with its explanation."""

    passed: bool
    outcome_ok: bool
    outcome_text: str
    #: ``(met, explanation)`` per key answer, in the scenario's order.
    answers: list[tuple[bool, str]] = field(default_factory=list)


def script_version(scenario: PracticeScenario) -> ScriptVersion | None:
    """Return the published version of the scenario's script (None: not installed)."""
    script = db.session.scalar(select(Script).where(Script.form_id == scenario.script_form_id))
    return scripts.current_version(script) if script is not None else None


def check_call(scenario: PracticeScenario, values: dict[str, str], outcome: str) -> dict:
    """Return which checks a call meets: ``{"outcome": bool, "answers": {name: bool}}``."""
    definition = scenario.definition
    answers = {
        key["name"]: str(values.get(key["name"], "")).split() == str(key["value"]).split()
        for key in definition.get("key_answers", [])
    }
    return {"outcome": outcome == definition["expected_outcome"], "answers": answers}


def feedback(call: PracticeCall, language: str) -> Feedback:
    """Return the feedback of a recorded call in ``language``."""
    definition = call.scenario.definition
    checks = call.checks
    return Feedback(
        passed=call.passed,
        outcome_ok=checks.get("outcome", False),
        outcome_text=text(definition.get("outcome_feedback", {}), language),
        answers=[
            (checks.get("answers", {}).get(key["name"], False), text(key["feedback"], language))
            for key in definition.get("key_answers", [])
        ],
    )


def record_call(
    user, scenario: PracticeScenario, version: ScriptVersion, *, language: str,
    values: dict[str, str], outcome: str,
) -> PracticeCall:  # fmt: skip
    """Record a completed practice call (the script's own checks passed); grade it.

    A pass may complete a certification: the LMS is asked to issue it at once.
    """
    checks = check_call(scenario, values, outcome)
    call = PracticeCall(
        user_id=user.id,
        scenario=scenario,
        script_version_id=version.id,
        language=language,
        outcome=outcome,
        passed=checks["outcome"] and all(checks["answers"].values()),
        checks_json=json.dumps(checks, sort_keys=True),
    )
    db.session.add(call)
    db.session.flush()  # the id binds the encrypted answers to this row
    call.answers_enc = encrypt(
        json.dumps(values, sort_keys=True),
        context=context_for(PracticeCall.__tablename__, call.id, ANSWERS),
        key_ring=current_key_ring(),
    )
    db.session.flush()
    current_app.logger.info(
        "practice call %s of scenario %s: passed=%s", call.id, scenario.code, call.passed
    )
    if call.passed:
        issue_if_earned(user)
    return call


def call_answers(call: PracticeCall) -> dict[str, str]:
    """Return a practice call's answers (decrypted)."""
    plain = decrypt(
        call.answers_enc,
        context=context_for(PracticeCall.__tablename__, call.id, ANSWERS),
        key_ring=current_key_ring(),
    )
    return json.loads(plain or "{}")


def user_calls(user) -> list[PracticeCall]:
    """Return ``user``'s practice calls, newest first."""
    return list(
        db.session.scalars(
            select(PracticeCall)
            .where(PracticeCall.user_id == user.id)
            .order_by(PracticeCall.completed_dt.desc(), PracticeCall.id.desc())
        )
    )


def passed_scenario_ids(user) -> set[int]:
    """Return the ids of the scenarios ``user`` passed at least once."""
    return set(
        db.session.scalars(
            select(PracticeCall.scenario_id).where(
                PracticeCall.user_id == user.id, PracticeCall.passed.is_(True)
            )
        )
    )


def required_count() -> int:
    """Return how many scenarios a learner must pass (0 while none is installed)."""
    wanted = int(current_app.config.get("PRACTICE_CALLS_REQUIRED", 0) or 0)
    return min(wanted, len(active_scenarios()))


def missing_for(user, certification) -> GateRefusal | None:
    """Return why ``user`` lacks the practice calls ``certification`` needs, or None.

    Only certifications opening the workspace need practice calls.
    """
    if certification.grants_gate != GATE:
        return None
    required = required_count()
    active = {scenario.id for scenario in active_scenarios()}
    passed = len(passed_scenario_ids(user) & active)
    if passed >= required:
        return None
    text_ = ngettext(
        "Pass %(num)d practice call to receive the certificate (passed: %(passed)d).",
        "Pass %(num)d practice calls to receive the certificate (passed: %(passed)d).",
        required,
        passed=passed,
    )
    if not has_request_context():
        return GateRefusal(text_)
    language = getattr(g, "lang_code", None) or getattr(user, "locale", None) or "en"
    link = url_for("practice.list_scenarios", lang_code=language)
    return GateRefusal(text_, link_url=link, link_label=_("Practice calls"))
