"""The signed-in user: one query per request, nothing of it kept between requests.

A change made by another host (roles, the end of a session) counts at the next request.
"""

import pytest
from sqlalchemy import delete, event, update

from content.auth.models import AuthSession, UserRole, utcnow
from content.extensions import db

pytestmark = pytest.mark.db


def test_a_role_removed_by_another_host_counts_at_the_next_request(client, auth):
    admin = auth.login_as("admin")
    assert client.get("/en/admin/users/").status_code == 200

    # What another app server (or the CLI) would do: a plain write to the database.
    db.session.execute(delete(UserRole).where(UserRole.user_id == admin.id))
    db.session.commit()

    assert client.get("/en/admin/users/").status_code == 403


def test_a_session_ended_by_another_host_signs_out_at_the_next_request(client, auth):
    auth.login_as("agent")
    assert client.get("/en/dashboard").status_code == 200

    db.session.execute(update(AuthSession).values(ended_dt=utcnow()))
    db.session.commit()

    assert client.get("/en/dashboard").status_code == 302


def test_session_user_and_roles_are_read_in_one_query(app, client, auth):
    auth.login_as("admin")
    client.get("/en/dashboard")  # the once-a-minute last_seen write is done now
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get("/healthz").status_code == 200  # no user needed: a baseline
        baseline = len(statements)
        statements.clear()
        # A page that needs the user's roles (the admin permission) and nothing else.
        response = client.get("/en/admin/users/")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    loads = [s for s in statements if "auth_sessions" in s]
    assert len(loads) == 1, loads
    assert "JOIN users" in loads[0]
    assert "JOIN user_roles" in loads[0]
    assert baseline <= 1
