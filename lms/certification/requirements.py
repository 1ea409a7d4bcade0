"""What a certification requires: its modules, its exam, and what plugins add.

Plugins add requirements through the ``tracing_certification_missing`` hook (the
workspace's practice calls); see docs/lms-certification.md.
"""

from __future__ import annotations

from decimal import Decimal

from flask import current_app

from content.plugins import hook
from lms.certification import adapters
from lms.certification.models import Certification


def missing_requirements(user, certification: Certification) -> list[str]:
    """Return what plugins say ``user`` still lacks for ``certification`` (empty: nothing).

    Asked through the ``tracing_certification_missing`` hook (e.g. the workspace's
    practice calls); each reason is a translated string or a ``GateRefusal``.
    """
    reasons = hook(current_app).tracing_certification_missing(
        user=user, certification=certification
    )
    return [reason for reason in reasons if reason]


def training_done(user, certification: Certification, completed: set[str] | None = None):
    """Return ``(True, grade, attempt)`` when ``user`` completed the modules and passed the exam."""
    if completed is None:
        completed = adapters.completed_module_groups(user)
    if not set(certification.module_groups) <= completed:
        return False, None, None
    if certification.exam_quiz_group is None:
        return True, None, None
    grade, attempt = adapters.exam_result(
        user, certification.exam_quiz_group, certification.min_score_percent
    )
    if grade is None or grade < Decimal(certification.min_score_percent):
        return False, grade, None
    return True, grade, attempt


def earned(user, certification: Certification, completed: set[str]):
    """Return ``(True, grade, attempt)`` when ``user`` meets every requirement (plugins' too)."""
    done, grade, attempt = training_done(user, certification, completed)
    if done and missing_requirements(user, certification):
        return False, grade, None
    return done, grade, attempt
