"""Walk every URL rule of the site and check what anonymous users and each role get.

The table below is the reviewed statement of who may use what. A new endpoint fails
``test_every_endpoint_is_in_the_matrix`` until someone decides its row.
"""

from __future__ import annotations

import re

import pytest

from content.auth.roles import AUTHENTICATED, PUBLIC, required_permission
from tests.fixtures.users import ROLES
from tests.fixtures.web import csrf_token
from tracing_app import create_app

ANONYMOUS = "anonymous"
LEARNER = "learner"  # signed in, no role
EVERYONE_SIGNED_IN = {LEARNER, *ROLES}

#: endpoint -> (declared permission, who gets in)
MATRIX = {
    "core.root": (PUBLIC, {ANONYMOUS, *EVERYONE_SIGNED_IN}),
    "core.healthz": (PUBLIC, {ANONYMOUS, *EVERYONE_SIGNED_IN}),
    "site.home": (PUBLIC, {ANONYMOUS, *EVERYONE_SIGNED_IN}),
    "auth.login": (PUBLIC, {ANONYMOUS, *EVERYONE_SIGNED_IN}),
    "site.dashboard": (AUTHENTICATED, EVERYONE_SIGNED_IN),
    "auth.account": (AUTHENTICATED, EVERYONE_SIGNED_IN),
    "auth.logout": (AUTHENTICATED, EVERYONE_SIGNED_IN),
    "users.list_users": ("users.manage", {"admin"}),
    "users.create_user": ("users.manage", {"admin"}),
    "users.edit_user": ("users.manage", {"admin"}),
    "users.reset_password": ("users.manage", {"admin"}),
    "users.deactivate_user": ("users.manage", {"admin"}),
    "users.reactivate_user": ("users.manage", {"admin"}),
}

WHO = [ANONYMOUS, LEARNER, *ROLES]


def _site_rules():
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    rules = [
        (rule.endpoint, method, rule.rule)
        for rule in app.url_map.iter_rules()
        if not rule.endpoint.endswith("static")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]
    return app, rules


SITE_APP, RULES = _site_rules()


def test_every_endpoint_is_in_the_matrix():
    endpoints = {endpoint for endpoint, _method, _rule in RULES}
    assert endpoints == set(MATRIX), "add new endpoints to MATRIX, remove gone ones"


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_view_declares_the_permission_of_the_matrix(endpoint):
    view = SITE_APP.view_functions[endpoint]
    assert required_permission(view) == MATRIX[endpoint][0]


def test_static_files_are_public(client):
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    response.close()


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(("endpoint", "method", "rule"), RULES, ids=lambda v: str(v))
def test_access(client, auth, create_user, endpoint, method, rule, who):
    target = create_user(email="target@example.org")
    if who != ANONYMOUS:
        auth.login_as(None if who == LEARNER else who)
    url = re.sub(r"<(?:int:)?(\w+)>", lambda m: {"lang_code": "en"}.get(m[1], str(target.id)), rule)
    data = {"csrf_token": csrf_token(client), "confirm-csrf_token": csrf_token(client)}
    response = client.open(url, method=method, data=data if method == "POST" else None)

    allowed = who in MATRIX[endpoint][1]
    went_to_login = response.status_code == 302 and "/login" in response.location
    if allowed:
        assert response.status_code != 403
        assert not (went_to_login and endpoint not in {"auth.logout"})
    elif who == ANONYMOUS:
        assert went_to_login, response.status_code
    else:
        assert response.status_code == 403
