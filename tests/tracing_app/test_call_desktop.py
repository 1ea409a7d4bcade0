"""The call desktop: context, script and outcome on one page, and click-to-dial."""

from __future__ import annotations

import pytest

from content.auth.models import utcnow
from content.extensions import db
from tests.fixtures.web import post_form
from tracing_app.calls import operations
from tracing_app.calls.models import CallOrder, Campaign
from tracing_app.scripts import operations as scripts
from tracing_app.scripts.models import COMPLETED, FormResponse

pytestmark = pytest.mark.db


def _open_desktop(client, order) -> str:
    assert post_form(client, "/en/calls/next", {}).status_code == 302
    response = post_form(client, f"/en/calls/orders/{order.id}/script", {})
    assert response.location == f"/en/calls/orders/{order.id}#script"
    return client.get(f"/en/calls/orders/{order.id}").get_data(as_text=True)


def test_the_script_its_sentences_and_the_outcome_are_on_the_call_page(client, auth, scripted_call):
    auth.login_as("agent")
    page = _open_desktop(client, scripted_call)
    order_id = scripted_call.id
    assert f'action="/en/calls/orders/{order_id}/script/save"' in page  # the script panel
    assert 'target="_blank"' not in page  # no separate tab any more
    assert "Do you agree to have this conversation now?" in page  # a question
    assert "This is the contact tracing call centre" in page  # a sentence to say
    assert f'action="/en/calls/orders/{order_id}/outcome"' in page  # the outcome, same page
    for key in ("Alt+N", "Alt+S", "Alt+O"):  # the keys are told
        assert key in page
    assert 'href="tel:+32470123456"' in page  # click-to-dial, E.164 from a national spelling
    reference = scripted_call.ticket.reference
    assert f'href="/en/tickets/{reference}/escalate"' in page  # escalation from the call
    assert f'href="/en/documents/tickets/{reference}"' in page  # the citizen's documents


def test_saving_the_script_stays_on_the_call_and_shows_errors_beside_fields(
    client, auth, scripted_call
):
    auth.login_as("agent")
    _open_desktop(client, scripted_call)
    order_id = scripted_call.id
    db.session.expire_all()
    response_id = db.session.get(CallOrder, order_id).ticket.script_response_id
    form = db.session.get(FormResponse, response_id)
    answer = {"called_name": "Griet", "consent": "yes", "national_number": "12345"}
    saved = post_form(
        client,
        f"/en/calls/orders/{order_id}/script/save",
        {**answer, "_action": "save", "_revision": str(form.revision)},
    )
    assert saved.status_code == 200
    page = saved.get_data(as_text=True)
    assert 'id="national_number-error"' in page
    assert 'value="12345"' in page  # what the agent typed stays
    assert "How did the call end?" in page  # still the call desktop
    db.session.expire_all()
    assert scripts.answers(db.session.get(FormResponse, response_id))["called_name"] == "Griet"


def test_completing_the_script_leads_to_the_outcome(client, auth, scripted_call):
    auth.login_as("agent")
    _open_desktop(client, scripted_call)
    order_id = scripted_call.id
    db.session.expire_all()
    response_id = db.session.get(CallOrder, order_id).ticket.script_response_id
    form = db.session.get(FormResponse, response_id)
    answer = {"called_name": "Griet", "consent": "no", "refusal_reason": "refused"}
    done = post_form(
        client,
        f"/en/calls/orders/{order_id}/script/save",
        {**answer, "_action": "complete", "_revision": str(form.revision)},
    )
    assert done.status_code == 302, done.get_data(as_text=True)
    assert done.location == f"/en/calls/orders/{order_id}#outcome"
    db.session.expire_all()
    assert db.session.get(FormResponse, response_id).state == COMPLETED
    page = client.get(f"/en/calls/orders/{order_id}").get_data(as_text=True)
    assert "How did the call end?" in page  # the call goes on to its outcome


def test_a_configured_dialer_url_replaces_tel_links(app, client, auth, scripted_call, monkeypatch):
    monkeypatch.setitem(
        app.config,
        "TELEPHONY_DIALER_URL",
        "https://pbx.example/originate?to={number}&ref={call_id}",
    )
    auth.login_as("agent")
    assert post_form(client, "/en/calls/next", {}).status_code == 302
    page = client.get(f"/en/calls/orders/{scripted_call.id}").get_data(as_text=True)
    expected = f"https://pbx.example/originate?to=+32470123456&amp;ref=order-{scripted_call.id}-1"
    assert f'href="{expected}"' in page
    assert "tel:" not in page


def test_another_agent_cannot_save_the_script_of_a_call(client, auth, scripted_call, create_user):
    agent = create_user(roles=["agent"])
    order = operations.claim_next_call(agent, now=utcnow())
    db.session.commit()
    auth.login_as("agent")
    response = post_form(client, f"/en/calls/orders/{order.id}/script/save", {"consent": "yes"})
    assert response.status_code == 404
    assert db.session.get(Campaign, order.campaign_id) is not None
