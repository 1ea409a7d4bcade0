"""Practice calls: agents (learners not yet certified) practise; trainers see the results."""

from __future__ import annotations

from tests.permission_rows import TRAINERS

ROWS = {
    "practice.list_scenarios": ("practice.work", {"agent"}),
    "practice.practice_call": ("practice.work", {"agent"}),
    "practice.view_result": ("practice.work", {"agent"}),
    "practice.list_results": ("practice.review", TRAINERS),
}
