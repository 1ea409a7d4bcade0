"""The publication workflow, per role, recorded with actor, time and comment."""

import pytest
from markupsafe import escape

from content.extensions import db
from content.items import operations as items
from content.items.models import ContentItem
from content.workflow.models import WorkflowEvent
from tests.fixtures.web import post_form, translated

pytestmark = pytest.mark.db


def _state(item_id):
    db.session.expire_all()
    item = db.session.get(ContentItem, item_id)
    return item.state, item.live_revision_number


def _step(client, item, transition, comment=""):
    return post_form(
        client, f"/nl/cms/items/{item.id}/state", {"transition": transition, "comment": comment}
    )


@pytest.fixture
def draft(create_page):
    return create_page(title="Concept", slug="concept", publish=False)


def test_editor_submits_and_reviewer_publishes(app, client, auth, create_user, draft):
    from tests.fixtures.web import AuthActions

    auth.login_as("editor")
    _step(client, draft, "submit", "Klaar voor nalezing")
    assert _state(draft.id) == ("pending", None)

    reviewer = app.test_client()
    user = create_user(email="rev@example.org", roles=["reviewer"])
    AuthActions(reviewer, None).login(user.email)
    assert "Concept" in reviewer.get("/nl/cms/review").get_data(as_text=True)
    _step(reviewer, draft, "publish", "Goed zo")
    assert _state(draft.id) == ("published", 1)
    assert app.test_client().get("/nl/concept").status_code == 200

    events = db.session.query(WorkflowEvent).order_by(WorkflowEvent.id).all()
    assert [(e.transition, e.from_state, e.to_state, e.comment) for e in events] == [
        ("submit", "private", "pending", "Klaar voor nalezing"),
        ("publish", "pending", "published", "Goed zo"),
    ]
    assert events[1].actor_id == user.id
    assert events[1].created_dt is not None


def test_editor_cannot_publish(client, auth, draft):
    auth.login_as("editor")
    response = _step(client, draft, "publish")
    assert response.status_code == 302
    assert _state(draft.id) == ("private", None)
    page = client.get(response.location).get_data(as_text=True)
    assert str(escape(translated("nl", "You may not take this step."))) in page


def test_reviewer_rejects_back_to_the_author(client, auth, draft, content_admin):
    from content.workflow.operations import transition

    transition(draft, "submit", actor=content_admin)
    db.session.commit()
    auth.login_as("reviewer")
    _step(client, draft, "reject", "Bron ontbreekt")
    assert _state(draft.id) == ("private", None)


def test_retract_takes_a_page_offline(app, client, auth, create_page):
    page = create_page(title="Online", slug="online")
    auth.login_as("reviewer")
    _step(client, page, "retract", "Verouderd")
    assert _state(page.id) == ("private", None)
    assert app.test_client().get("/nl/online").status_code == 404


def test_impossible_step_is_refused(client, auth, draft):
    auth.login_as("reviewer")
    response = _step(client, draft, "reject")  # a draft is not pending
    assert _state(draft.id) == ("private", None)
    message = translated("nl", "This step is not possible in the item's current state.")
    assert str(escape(message)) in client.get(response.location).get_data(as_text=True)


def test_visitor_sees_only_published_children(app, create_page, roots):
    create_page(title="Zichtbaar", slug="zichtbaar")
    create_page(title="Onzichtbaar", slug="onzichtbaar", publish=False)
    text = app.test_client().get("/nl/").get_data(as_text=True)
    assert "Zichtbaar" in text
    assert "Onzichtbaar" not in text


def test_publishing_a_new_draft_updates_what_visitors_see(app, create_page, content_admin):
    from content.workflow.operations import transition

    page = create_page(title="Versie", slug="versie", body="Eerste versie")
    items.save_revision(
        page,
        base_number=1,
        title="Versie",
        description="",
        body="Tweede versie",
        actor=content_admin,
    )
    db.session.commit()
    visitor = app.test_client()
    assert "Eerste versie" in visitor.get("/nl/versie").get_data(as_text=True)
    transition(page, "publish", actor=content_admin)
    db.session.commit()
    assert "Tweede versie" in visitor.get("/nl/versie").get_data(as_text=True)
