"""The call desktop's own markup kept per process: the same pages, nothing of one call kept."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from flask import template_rendered

from content.auth.models import utcnow
from content.extensions import db
from content.kept import kept
from tests.fixtures.web import post_form
from tracing_app.calls import desktop_markup, notes, operations
from tracing_app.calls.models import CallAttempt, CallOrder
from tracing_app.tickets.operations import PersonData, create_ticket

pytestmark = pytest.mark.db

TOKEN = re.compile(r'(name="csrf[-_]token"[^>]*(?:value|content)=")[^"]+"')


def _normal(page: str) -> str:
    return TOKEN.sub(r'\1TOKEN"', page)


def _direct(monkeypatch) -> None:
    """Render the desktop afresh for every page (the reference)."""
    monkeypatch.setattr(desktop_markup, "desktop_html", desktop_markup.render_desktop)


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def _kept_and_direct(client, url: str, monkeypatch) -> str:
    """Return the page as kept markup makes it, after checking it is the direct one."""
    page = _page(client, url)
    with monkeypatch.context() as patch:
        _direct(patch)
        assert _normal(_page(client, url)) == _normal(page)
    return page


@pytest.fixture
def second_call(scripted_call):
    """A second call of the campaign, on a French ticket of Jan, tried twice (the difference)."""
    ticket = create_ticket(
        PersonData(first_name="Jan <b>", last_name="Claes", phone="0471 99 88 77", language="fr"),
        actor=None,
        source="test",
    )
    order = operations.enqueue(scripted_call.campaign, due_dt=utcnow() - timedelta(minutes=1))
    order.ticket_id = ticket.id
    order.attempts = 2
    order.last_outcome = "no_answer"  # the same shape as the first call but the attempts
    db.session.flush()
    ended = utcnow() - timedelta(days=1)
    for at, callback in enumerate((None, ended + timedelta(days=2))):
        attempt = CallAttempt(
            order_id=order.id,
            outcome="callback" if callback else "no_answer",
            started_dt=ended - timedelta(minutes=5 - at),
            ended_dt=ended + timedelta(minutes=at),
            callback_dt=callback,
            callback_anyone=True,
        )
        db.session.add(attempt)
        db.session.flush()
        attempt.note_enc = notes.encrypt_note(attempt.id, "Jan's note <i>&")
    db.session.commit()
    return order


def test_two_agents_two_calls_two_languages_see_only_their_own_call(
    client, auth, scripted_call, second_call, monkeypatch
):
    auth.login_as("agent")
    assert post_form(client, "/en/calls/next", {}).location.endswith(f"/{scripted_call.id}")
    first = {
        lang: _kept_and_direct(client, f"/{lang}/calls/orders/{scripted_call.id}", monkeypatch)
        for lang in ("en", "nl")
    }
    auth.logout()
    auth.login_as("agent")
    assert post_form(client, "/en/calls/next", {}).location.endswith(f"/{second_call.id}")
    second = {
        lang: _kept_and_direct(client, f"/{lang}/calls/orders/{second_call.id}", monkeypatch)
        for lang in ("en", "nl")
    }
    reference = db.session.get(CallOrder, scripted_call.id).ticket.reference
    own = {
        scripted_call.id: ("Griet", "+32470123456", reference),
        second_call.id: ("Jan &lt;b&gt; C.", "+32471998877", "Jan&#39;s note &lt;i&gt;&amp;"),
    }
    other = {scripted_call.id: second_call.id, second_call.id: scripted_call.id}
    for order_id, pages in ((scripted_call.id, first), (second_call.id, second)):
        for page in pages.values():
            for value in own[order_id]:  # the call's values, escaped (the attempts' notes)
                assert value in page
            for value in (*own[other[order_id]], f"/orders/{other[order_id]}/"):
                assert value not in page
    assert "Before you dial" in first["en"]
    assert "Before you dial" not in first["nl"]
    # What is kept holds marks where the call's values go, and none of the values.
    with client.application.app_context():
        skeletons = ["".join(p) for p in kept(desktop_markup.NAME, 1)._values.values()]
    assert skeletons
    for skeleton in skeletons:
        for value in ("Griet", "Jan", "+3247", reference, "Cases", "orders/"):
            assert value not in skeleton


def test_the_desktop_markup_is_rendered_once_per_language_and_shape(
    app, client, auth, scripted_call, make_campaign, queue_order
):
    other = make_campaign(name="Other", calling_start=time(0), calling_end=time(0))
    for _ in range(2):
        queue_order(other, due_dt=utcnow() - timedelta(minutes=1))
    db.session.delete(scripted_call)
    db.session.commit()
    auth.login_as("agent")
    rendered = []

    def record(sender, template, context, **extra):
        rendered.append(template.name)

    template_rendered.connect(record, app)
    try:
        for _ in range(2):
            order = post_form(client, "/en/calls/next", {}).location
            page = _page(client, order)
            assert f'action="{order}/release"' in page
            assert post_form(client, f"{order}/release", {}).status_code == 302
            db.session.get(CallOrder, int(order.rsplit("/", 1)[1])).due_dt = utcnow() + timedelta(
                days=1
            )
            db.session.commit()
    finally:
        template_rendered.disconnect(record, app)
    assert rendered.count("calls/call.html") == 2
    assert rendered.count("calls/_desktop.html") == 1


@pytest.mark.parametrize("roles", [["agent"], ["agent", "supervisor"]])
def test_kept_and_direct_desktops_agree_without_a_ticket_and_with_a_dialer_page(
    app, client, auth, create_user, make_campaign, queue_order, monkeypatch, roles
):
    monkeypatch.setitem(app.config, "TELEPHONY_DIALER_URL", "https://pbx.example/?to={number}")
    campaign = make_campaign(name="No ticket <&>", calling_start=time(0), calling_end=time(0))
    queue_order(campaign, due_dt=utcnow() - timedelta(minutes=1))
    assert auth.login(create_user(roles=roles).email).status_code == 302
    order = post_form(client, "/en/calls/next", {}).location
    page = _kept_and_direct(client, order, monkeypatch)
    assert "No ticket &lt;&amp;&gt;" in page
    assert ("Call dashboard" in page) == ("supervisor" in roles)
