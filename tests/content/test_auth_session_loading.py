"""The signed-in user: one query per request, nothing of it kept between requests.

A change made by another host (roles, the end of a session) counts at the next request.
"""

import pytest
from sqlalchemy import delete, event, update

from content.auth.models import ROLE_NAMES_READ, AuthSession, UserRole, utcnow
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


def _request_as_signed_in(app, client):
    """A request context carrying the client's session cookie (current_user is theirs).

    The test's own objects are dropped from the session first, so the user is the one the
    loader makes from its row (as in a worker), not the one the test created.
    """
    db.session.expunge_all()
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = f"{name}={client.get_cookie(name).value}"
    return app.test_request_context("/en/dashboard", headers={"Cookie": cookie})


def test_the_signed_in_user_offers_every_attribute_without_another_statement(
    app, client, auth, count_queries
):
    from flask_login import current_user

    auth.login_as("agent", display_name="Anna")
    client.get("/en/dashboard")  # the once-a-minute last_seen write is done now
    with _request_as_signed_in(app, client):
        assert current_user.is_authenticated
        with count_queries() as queries:
            me = current_user._get_current_object()
            seen = (me.display_name, me.email, me.locale, me.is_active, me.last_login_dt)
            seen += (me.password_hash, me.password_changed_dt, me.created_dt)
            assert me.role_names == {"agent"}
            assert me.can("calls.work")
        assert ROLE_NAMES_READ in vars(me)  # made from the loader's row
    assert seen[0] == "Anna"
    assert queries.count == 0, queries.report()


def test_roles_changed_during_the_request_count_at_once(app, client, auth):
    from flask_login import current_user

    from content.users.operations import set_roles

    auth.login_as("agent")
    with _request_as_signed_in(app, client):
        me = current_user._get_current_object()
        assert not me.can("lms.view_progress")
        set_roles(me, ["agent", "trainer"])
        assert me.role_names == {"agent", "trainer"}
        assert me.can("lms.view_progress")
