"""Call lists: agents (and supervisors) take calls; supervisors run campaigns."""

from __future__ import annotations

WORKERS = {"agent", "supervisor"}
SUPERVISORS = {"supervisor", "admin"}

ROWS = {
    "calls.agent_home": ("calls.work", WORKERS),
    "calls.claim_call": ("calls.work", WORKERS),
    "calls.set_agent_state": ("calls.work", WORKERS),
    "calls.view_call": ("calls.work", WORKERS),
    "calls.record_outcome": ("calls.work", WORKERS),
    "calls.release_call": ("calls.work", WORKERS),
    "calls.open_script": ("calls.work", WORKERS),
    "calls.save_script": ("calls.work", WORKERS),
    "calls.list_campaigns": ("calls.supervise", SUPERVISORS),
    "calls.create_campaign": ("calls.supervise", SUPERVISORS),
    "calls.edit_campaign": ("calls.supervise", SUPERVISORS),
    "calls.import_orders": ("calls.supervise", SUPERVISORS),
    "calls.not_reached": ("calls.supervise", SUPERVISORS),
    "calls.requeue_order": ("calls.supervise", SUPERVISORS),
    "calls.dashboard": ("calls.supervise", SUPERVISORS),
    "calls.export_dashboard": ("calls.supervise", SUPERVISORS),
    "calls.wallboard": ("calls.supervise", SUPERVISORS),
    "calls.wallboard_fragment": ("calls.supervise", SUPERVISORS),
    "calls.wallboard_stream": ("calls.supervise", SUPERVISORS),
}
