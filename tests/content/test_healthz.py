"""The health check used by load balancers."""

import pytest


@pytest.mark.db
def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_is_down(tmp_path):
    from content.extensions import db
    from tracing_app import create_app

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "k",
            "INSTANCE_PATH": str(tmp_path),
            # Nothing listens on port 1: the connection is refused at once.
            "SQLALCHEMY_DATABASE_URI": "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2",
        }
    )
    try:
        response = app.test_client().get("/healthz")
        assert response.status_code == 503
        assert response.json["database"] == "unreachable"
    finally:
        with app.app_context():
            db.engine.dispose()
