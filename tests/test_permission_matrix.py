"""Walk every URL rule of the site and check what anonymous users and each role get.

The table below is the reviewed statement of who may use what. A new endpoint fails
``test_every_endpoint_is_in_the_matrix`` until someone decides its row.
"""

from __future__ import annotations

import collections
import re

import pytest

from content.auth.roles import AUTHENTICATED, PUBLIC, required_permission
from tests.fixtures.users import ROLES
from tests.fixtures.web import csrf_token
from tests.permission_rows import (
    ANONYMOUS,
    DRAFT_READERS,
    EDITORS,
    EVERYONE_SIGNED_IN,
    LEARNER,
    feature_rows,
)
from tracing_app import create_app

SCRIPT_EDITORS = {"editor", "admin"}

#: endpoint -> (declared permission, who gets in)
MATRIX = {
    "core.root": (PUBLIC, {ANONYMOUS, *EVERYONE_SIGNED_IN}),
    "core.healthz": (PUBLIC, {ANONYMOUS, *EVERYONE_SIGNED_IN}),
    "site.home": (PUBLIC, {ANONYMOUS, *EVERYONE_SIGNED_IN}),
    # Visitors search live pages; the view adds drafts for content.view_drafts.
    "search.search_items": (PUBLIC, {ANONYMOUS, *EVERYONE_SIGNED_IN}),
    "auth.login": (PUBLIC, {ANONYMOUS, *EVERYONE_SIGNED_IN}),
    "site.dashboard": (AUTHENTICATED, EVERYONE_SIGNED_IN),
    "auth.account": (AUTHENTICATED, EVERYONE_SIGNED_IN),
    "auth.logout": (AUTHENTICATED, EVERYONE_SIGNED_IN),
    # The second factor: a signed-in user's own; reachable before it is given (the views
    # themselves refuse what a half-signed-in session may not do).
    "second_factor.challenge": (AUTHENTICATED, EVERYONE_SIGNED_IN),
    "second_factor.key_options": (AUTHENTICATED, EVERYONE_SIGNED_IN),
    "second_factor.check_key": (AUTHENTICATED, EVERYONE_SIGNED_IN),
    "second_factor.manage": (AUTHENTICATED, EVERYONE_SIGNED_IN),
    "second_factor.register_options": (AUTHENTICATED, EVERYONE_SIGNED_IN),
    "second_factor.register_key": (AUTHENTICATED, EVERYONE_SIGNED_IN),
    "second_factor.renew_recovery_codes": (AUTHENTICATED, EVERYONE_SIGNED_IN),
    "users.list_users": ("users.manage", {"admin"}),
    "users.create_user": ("users.manage", {"admin"}),
    "users.edit_user": ("users.manage", {"admin"}),
    "users.reset_password": ("users.manage", {"admin"}),
    "users.reset_second_factor": ("users.manage", {"admin"}),
    "users.deactivate_user": ("users.manage", {"admin"}),
    "users.reactivate_user": ("users.manage", {"admin"}),
    "jobs.list_jobs": ("jobs.monitor", {"admin"}),
    # Scrapers, not users: a bearer token decides (404 when none is configured, as here).
    "observability.metrics": (PUBLIC, {ANONYMOUS, *EVERYONE_SIGNED_IN}),
    # Content: visibility of each item is decided in the view (live or drafts allowed).
    "items.view_item": (PUBLIC, {ANONYMOUS, *EVERYONE_SIGNED_IN}),
    "items.missing_translation": (PUBLIC, {ANONYMOUS, *EVERYONE_SIGNED_IN}),
    "items.manage_content": ("content.view_drafts", DRAFT_READERS),
    "items.create_item": ("content.edit", EDITORS),
    "items.edit_item": ("content.edit", EDITORS),
    "items.move_item": ("content.edit", EDITORS),
    "revisions.list_revisions": ("content.view_drafts", DRAFT_READERS),
    "revisions.compare_revisions": ("content.view_drafts", DRAFT_READERS),
    "revisions.restore_revision": ("content.edit", EDITORS),
    "workflow.change_state": ("content.view_drafts", DRAFT_READERS),
    "workflow.review_queue": ("content.review", {"reviewer", "admin"}),
    "multilingual.item_translations": ("content.view_drafts", DRAFT_READERS),
    "multilingual.create_translation": ("content.edit", EDITORS),
    "multilingual.mark_up_to_date": ("content.edit", EDITORS),
    "multilingual.translation_overview": ("content.view_drafts", DRAFT_READERS),
    "media.manage_media": ("content.edit", EDITORS),
    "media.upload_media": ("content.edit", EDITORS),
    "media.delete_media": ("content.edit", EDITORS),
    # Files of live items are public; the view serves the others to draft readers only.
    "media.serve_media": (PUBLIC, {ANONYMOUS, *EVERYONE_SIGNED_IN}),
    # Call scripts: editors write them (trainers edit content, not scripts), agents fill them.
    "scripts.list_scripts": ("scripts.edit", SCRIPT_EDITORS),
    "scripts.view_version": ("scripts.edit", SCRIPT_EDITORS),
    "scripts.change_version_state": ("scripts.edit", SCRIPT_EDITORS),
    "scripts.compare_versions": ("scripts.edit", SCRIPT_EDITORS),
    "scripts.download_version": ("scripts.edit", SCRIPT_EDITORS),
    "scripts.list_forms": ("scripts.fill", {"agent"}),
    "scripts.start_form": ("scripts.fill", {"agent"}),
    "scripts.fill_form": ("scripts.fill", {"agent"}),
    "scripts.autosave_form": ("scripts.fill", {"agent"}),
    # Rows of the LMS and workspace features: tests/permission_rows/*.py.
    **feature_rows(),
}

WHO = [ANONYMOUS, LEARNER, *ROLES]


def _published_page():
    """A published page in the English root, for the URLs that name an item."""
    from content.extensions import db
    from content.items import operations as items
    from content.workflow.operations import transition

    items.ensure_language_roots()
    admin = create_user_direct("matrix-admin@example.org", ["admin"])
    page = items.create_item(items.language_root("en"), "page", title="Page", actor=admin)
    transition(page, "publish", actor=admin)
    db.session.commit()
    return page


def create_user_direct(email, roles):
    """Create an account without the fixture (used while building the URL values)."""
    from content.users.operations import create_user

    return create_user(email, "a long enough password", roles=roles)


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
    page = _published_page()
    values = {
        "lang_code": "en",
        "user_id": target.id,
        "item_id": page.id,
        "parent_id": page.parent_id,
        "path": page.slug,
        "group": page.translation_group,
        "number": 1,
        "media_id": target.id,  # no such file: allowed users get 404
        "filename": "file.png",
        "version_id": target.id,  # no such version or form: allowed users get 404
        "response_id": target.id,
    }
    # Any other identifier names nothing that exists: allowed users get 404, not 403.
    values = collections.defaultdict(lambda: "999999", values)
    if who != ANONYMOUS:
        auth.login_as(None if who == LEARNER else who)
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m[1]]), rule)
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
