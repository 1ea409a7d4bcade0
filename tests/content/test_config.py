"""Layered configuration: defaults, instance file, environment, test mapping."""

from __future__ import annotations

from flask import Flask

from content.config import (
    DefaultConfig,
    environment_settings,
    load_config,
    normalise_database_url,
)


def _app(tmp_path) -> Flask:
    return Flask("layers", instance_path=str(tmp_path))


def test_instance_file_overrides_defaults_and_environment_overrides_both(tmp_path, monkeypatch):
    (tmp_path / "config.toml").write_text('SITE_NAME = "From file"\nIDLE_TIMEOUT_MINUTES = 45\n')
    monkeypatch.setenv("TRACING_IDLE_TIMEOUT_MINUTES", "60")
    app = _app(tmp_path)
    load_config(app, None, {"SITE_NAME": "Site default"})
    assert app.config["SITE_NAME"] == "From file"
    assert app.config["IDLE_TIMEOUT_MINUTES"] == 60
    assert app.config["LANGUAGES"] == DefaultConfig.LANGUAGES


def test_a_mapping_replaces_instance_file_and_environment(tmp_path, monkeypatch):
    (tmp_path / "config.toml").write_text('SITE_NAME = "From file"\n')
    monkeypatch.setenv("TRACING_SITE_NAME", "From env")
    app = _app(tmp_path)
    load_config(app, {"TESTING": True}, {})
    assert app.config["SITE_NAME"] == DefaultConfig.SITE_NAME


def test_environment_values_are_typed():
    settings = environment_settings(
        {
            "TRACING_IDLE_TIMEOUT_MINUTES": "20",
            "TRACING_SESSION_COOKIE_SECURE": "false",
            "TRACING_PLUGINS": '["lms.plugin"]',
            "TRACING_SITE_NAME": "Contact tracing",
            "DATABASE_URL": "postgresql://db/tracing",
            "OTHER": "ignored",
        }
    )
    assert settings == {
        "IDLE_TIMEOUT_MINUTES": 20,
        "SESSION_COOKIE_SECURE": False,
        "PLUGINS": ["lms.plugin"],
        "SITE_NAME": "Contact tracing",
        "SQLALCHEMY_DATABASE_URI": "postgresql://db/tracing",
    }


def test_postgres_urls_use_psycopg3():
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:////x.db") == "sqlite:////x.db"


def test_no_secret_key_is_built_in():
    assert DefaultConfig.SECRET_KEY is None


def test_site_without_secret_key_refuses_requests_until_initialised(tmp_path):
    from content.extensions import db
    from tracing_app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "INSTANCE_PATH": str(tmp_path)})
    try:
        response = app.test_client().get("/en/login")
        assert response.status_code == 503
        assert "tracing-app init" in response.get_data(as_text=True)
    finally:
        with app.app_context():
            db.engine.dispose()


def test_sqlite_default_is_in_the_instance_folder_with_wal_and_foreign_keys(tmp_path):
    from sqlalchemy import text

    from content.extensions import db
    from tracing_app import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "k", "INSTANCE_PATH": str(tmp_path)})
    with app.app_context():
        try:
            assert db.engine.url.database == str(tmp_path / "tracing.db")
            with db.engine.connect() as conn:
                assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
                assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
                assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000
        finally:
            db.engine.dispose()


def test_data_keys_never_enter_the_config():
    settings = environment_settings(
        {"TRACING_DATA_KEYS": "k1:c2VjcmV0", "TRACING_INSTANCE_PATH": "/x"}
    )
    assert settings == {}
