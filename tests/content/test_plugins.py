"""The plugin API: documented hooks and signals, and plugins enabled by configuration."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from content import hookspecs, signals
from content.extensions import db
from content.hookspecs import hookimpl
from content.plugins import plugin_manager
from tests.fixtures.settings import TEST_CONFIG
from tests.fixtures.web import IsolatedClient
from tracing_app import create_app

DOCS = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"


def _documented(section: str) -> set[str]:
    text = DOCS.read_text()
    body = text.split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^### `([\w-]+)`", body, flags=re.MULTILINE))


def test_every_hook_is_documented_and_every_documented_hook_exists():
    specs = {
        name
        for name, _ in inspect.getmembers(hookspecs, inspect.isfunction)
        if name.startswith("tracing_")
    }
    assert specs, "no hook specifications found"
    assert _documented("Hooks") == specs


def test_every_hook_has_a_docstring():
    for name, function in inspect.getmembers(hookspecs, inspect.isfunction):
        if name.startswith("tracing_"):
            assert function.__doc__, name


def test_every_signal_is_documented_with_a_docstring():
    named = {
        value.name: value
        for value in vars(signals).values()
        if value.__class__.__name__ == "NamedSignal"
    }
    assert _documented("Signals") == set(named)
    assert all(signal.__doc__ for signal in named.values())


@pytest.fixture
def sample_site(tmp_path):
    from flask_migrate import upgrade

    app = create_app(
        {
            **TEST_CONFIG,
            "INSTANCE_PATH": str(tmp_path),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'plugin.db'}",
            "PLUGINS": ["lms.plugin", "tests.plugins.sample_plugin"],
        }
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        upgrade(revision="heads")
        yield app
        db.engine.dispose()


def test_configured_plugin_adds_role_permission_page_and_panel(sample_site):
    from content.users.operations import create_user
    from tests.fixtures.web import AuthActions

    assert sample_site.config["SAMPLE_GREETING"] == "hello"
    assert sample_site.config["SITE_NAME"] == "Tracing"  # plugin defaults never override
    create_user("s@example.org", "a long enough password", roles=["sampler"])
    create_user("n@example.org", "a long enough password", roles=["editor"])
    db.session.commit()

    sampler = sample_site.test_client()
    AuthActions(sampler, None).login("s@example.org", "a long enough password")
    assert sampler.get("/en/sample/").get_data(as_text=True) == "sample page"
    assert "Sample panel" in sampler.get("/en/dashboard").get_data(as_text=True)

    editor = sample_site.test_client()
    AuthActions(editor, None).login("n@example.org", "a long enough password")
    assert editor.get("/en/sample/").status_code == 403


def test_server_error_page_is_translated(sample_site):
    from content.users.operations import create_user
    from tests.fixtures.web import AuthActions

    create_user("boom@example.org", "a long enough password", roles=["sampler"])
    db.session.commit()
    client = sample_site.test_client()
    AuthActions(client, None).login("boom@example.org", "a long enough password")
    sample_site.testing = False  # let the error reach the error page, as in production
    try:
        response = client.get("/fr/sample/boom")
    finally:
        sample_site.testing = True
    assert response.status_code == 500
    assert '<html lang="fr">' in response.get_data(as_text=True)
    assert "Something went wrong" not in response.get_data(as_text=True)


def test_site_without_the_workspace_plugin_has_no_workspace_roles(sample_site):
    from content.auth.roles import registry

    roles = set(registry(sample_site).roles)
    assert "trainer" in roles
    assert roles.isdisjoint({"agent", "supervisor", "specialist"})


def test_hooks_run_in_configuration_order_core_first(app):
    names = [name for name, _plugin in plugin_manager(app).list_name_plugin()]
    assert set(names) == {"content.plugin", "lms.plugin", "tracing_app.plugin"}
    order = [
        impl.plugin_name
        for impl in reversed(plugin_manager(app).hook.tracing_roles.get_hookimpls())
    ]
    assert order == ["content.plugin", "lms.plugin", "tracing_app.plugin"]


class _ThrowawayPanel:
    @hookimpl
    def tracing_dashboard_panels(self, user):
        from content.core.panels import DashboardPanel

        return [DashboardPanel("Throwaway panel", order=1)]


def test_a_hookimpl_registered_at_runtime_shows_on_the_dashboard(app, client, auth):
    auth.login_as("agent")
    pm = plugin_manager(app)
    pm.register(_ThrowawayPanel(), name="throwaway")
    try:
        assert "Throwaway panel" in client.get("/en/dashboard").get_data(as_text=True)
    finally:
        pm.unregister(name="throwaway")
    assert "Throwaway panel" not in client.get("/en/dashboard").get_data(as_text=True)


def test_layers_import_only_downwards():
    root = Path(__file__).resolve().parents[2]
    pattern = {
        "content": r"^\s*(from|import)\s+(lms|tracing_app)\b",
        "lms": r"^\s*(from|import)\s+tracing_app\b",
    }
    offenders = [
        f"{path.relative_to(root)}"
        for package, regex in pattern.items()
        for path in (root / package).rglob("*.py")
        if re.search(regex, path.read_text(), flags=re.MULTILINE)
    ]
    assert offenders == []
