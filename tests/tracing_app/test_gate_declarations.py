"""The workspace gate is declared once per blueprint: no workspace view is open by omission."""

from __future__ import annotations

import pytest
from flask import Blueprint, Flask

from content.auth.roles import requires
from content.gates import blueprint_gate, gate_of
from tracing_app.workspace import GATE, gate_workspace, outside_workspace

#: The views that called the gate by hand before it was declared per blueprint.
AGENT_VIEWS = {
    "calls.agent_home",
    "calls.claim_call",
    "calls.view_call",
    "calls.record_outcome",
    "calls.release_call",
    "calls.open_script",
    "scripts.list_forms",
    "scripts.start_form",
    "scripts.fill_form",
    "scripts.autosave_form",
    "tickets.view_ticket",
    "tickets.edit_ticket",
    "tickets.ticket_script",
    "tickets.lookup_tickets",
    "tickets.escalate_ticket",
    "tickets.my_escalations",
    "documents.list_documents",
    "documents.issue_document",
    "documents.view_document",
    "documents.print_document",
    "documents.revoke_document",
}


def undeclared_views(app: Flask, package: str = "tracing_app") -> list[str]:
    """Endpoints of ``package``'s blueprints whose blueprint declared no gate (nor none)."""
    found = []
    for rule in app.url_map.iter_rules():
        blueprint_name = rule.endpoint.rpartition(".")[0]
        blueprint = app.blueprints.get(blueprint_name)
        if blueprint is None or not blueprint.import_name.startswith(f"{package}."):
            continue
        if blueprint_gate(app, blueprint_name) is None:
            found.append(rule.endpoint)
    return sorted(found)


def test_every_workspace_blueprint_declares_its_gate(app):
    assert undeclared_views(app) == [], "declare the gate: tracing_app.workspace.gate_workspace"


def test_agent_views_pass_the_workspace_gate(app):
    assert {endpoint for endpoint in AGENT_VIEWS if gate_of(app, endpoint) != GATE} == set()


def test_exempt_views_are_named_in_their_blueprint(app):
    exempt = {e for name in app.blueprints if (d := blueprint_gate(app, name)) for e in d.exempt}
    assert exempt - set(app.view_functions) == set(), "an exemption names no view"
    assert "documents.verify_document" in exempt
    assert exempt.isdisjoint(AGENT_VIEWS)


def _probe_app(*blueprints: Blueprint) -> Flask:
    probe = Flask("probe")
    for blueprint in blueprints:
        probe.register_blueprint(blueprint)
    return probe


@requires("calls.work")
def _probe_view():
    return "open"


def test_probe_a_blueprint_without_the_gate_is_detected():
    forgotten = Blueprint("forgotten", "tracing_app.probe", root_path=".")
    forgotten.add_url_rule("/forgotten", "look", _probe_view)
    declared = Blueprint("declared", "tracing_app.probe", root_path=".")
    declared.add_url_rule("/declared", "look", _probe_view)
    declared.add_url_rule("/public", "verify", _probe_view)
    gate_workspace(declared, exempt=["verify"])
    assets = Blueprint("assets", "tracing_app.probe", root_path=".")
    assets.add_url_rule("/asset", "look", _probe_view)
    outside_workspace(assets)

    probe = _probe_app(forgotten, declared, assets)

    assert undeclared_views(probe) == ["forgotten.look"]
    assert gate_of(probe, "declared.look") == GATE
    assert gate_of(probe, "declared.verify") is None
    assert gate_of(probe, "assets.look") is None


def test_exempt_views_are_named_without_their_blueprint():
    with pytest.raises(ValueError, match="without the blueprint"):
        gate_workspace(Blueprint("probe", __name__), exempt=["probe.verify"])


def test_a_declared_gate_refuses_a_new_view_without_a_word(
    app, client, auth, create_certification, monkeypatch
):
    """The access check asks the declared gate for any view of the blueprint."""
    create_certification()
    auth.login_as("agent", locale="fr")
    # A view of the calls blueprint that never mentions the gate (the route exists).
    monkeypatch.setitem(app.view_functions, "calls.agent_home", _probe_view)
    response = client.get("/fr/calls/")
    assert response.status_code == 403
    assert "open" not in response.get_data(as_text=True)
