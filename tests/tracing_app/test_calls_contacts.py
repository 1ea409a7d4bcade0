"""Contacts named by a case become call orders of the contacts campaign."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from content.extensions import db
from tests.fixtures.calls import CALLS_NOW as NOW
from tracing_app.calls.contacts import order_contacts
from tracing_app.calls.models import CallOrder
from tracing_app.scripts import operations as scripts
from tracing_app.scripts.signals import form_completed
from tracing_app.tickets.operations import (
    PersonData,
    create_ticket,
    decrypt_ticket,
    link_script_response,
)

pytestmark = pytest.mark.db

CASE_SCRIPT = Path(__file__).parents[2] / "tracing_app" / "seed" / "scripts" / "outbound_case.csv"


def _orders():
    return db.session.scalars(select(CallOrder).order_by(CallOrder.id)).all()


def test_order_contacts_links_tickets_and_never_doubles_an_open_order(make_campaign):
    campaign = make_campaign(name="Contacts")
    case = create_ticket(
        PersonData(first_name="Case", phone="+32470000001"), actor=None, source="t"
    )
    mia = PersonData(first_name="Mia", phone="+32470000002")
    orders = order_contacts(
        case, [mia, PersonData(first_name="Case", phone="+32470000001")], campaign, now=NOW
    )
    assert len(orders) == 1  # the case named themselves: not called as a contact
    assert orders[0].source_ticket_id == case.id
    assert decrypt_ticket(orders[0].ticket).first_name == "Mia"
    # Named again by another case: the same ticket, still one open order.
    other_case = create_ticket(PersonData(first_name="Other"), actor=None, source="t")
    assert (
        order_contacts(
            other_case, [PersonData(first_name="Mia", phone="+32470000002")], campaign, now=NOW
        )
        == []
    )
    assert len(_orders()) == 1


def test_completing_a_case_form_orders_its_high_risk_contacts(app, make_campaign, create_user):
    make_campaign(name="Contacts", receives_contacts=True)
    make_campaign(name="Cases")
    agent = create_user(roles=["agent"])
    version = scripts.upload_version(CASE_SCRIPT.read_bytes(), CASE_SCRIPT.name, actor=None)
    scripts.publish(version)
    response = scripts.start_form(version, agent=agent, language="en")
    case = create_ticket(PersonData(first_name="Case", language="fr"), actor=None, source="t")
    link_script_response(case, response.id, actor=agent)
    answers = {
        "consent": "yes",
        "has_contacts": "yes",
        "contact_list": "3",
        "contact_list.0.contact_name": "Mia Peeters",
        "contact_list.0.contact_exposure": "household",
        "contact_list.0.contact_phone": "0470 12 34 56",
        "contact_list.0.contact_language": "other",
        "contact_list.1.contact_name": "Low Risk",
        "contact_list.1.contact_exposure": "short",
        "contact_list.1.contact_phone": "0470 99 99 99",
        "contact_list.2.contact_name": "Jan",
        "contact_list.2.contact_exposure": "physical",
        "contact_list.2.contact_phone": "+32 471 00 00 01",
        "contact_list.2.contact_language": "nl",
    }
    state = scripts.state(response, answers)
    form_completed.send(app, response=response, state=state)
    db.session.commit()
    orders = _orders()
    assert [o.campaign.name for o in orders] == ["Contacts", "Contacts"]
    people = [decrypt_ticket(o.ticket) for o in orders]
    assert [(p.first_name, p.last_name, p.language) for p in people] == [
        ("Mia", "Peeters", "fr"),  # "other" language: the case's language
        ("Jan", None, "nl"),
    ]
    assert all(o.source_ticket_id == case.id for o in orders)


def test_a_form_of_no_ticket_orders_nothing(app, make_campaign, create_user):
    make_campaign(name="Contacts", receives_contacts=True)
    agent = create_user(roles=["agent"])
    version = scripts.upload_version(CASE_SCRIPT.read_bytes(), CASE_SCRIPT.name, actor=None)
    scripts.publish(version)
    response = scripts.start_form(version, agent=agent, language="en")
    state = scripts.state(
        response,
        {
            "consent": "yes",
            "has_contacts": "yes",
            "contact_list.0.contact_name": "Mia",
            "contact_list.0.contact_exposure": "household",
            "contact_list.0.contact_phone": "0470 12 34 56",
        },
    )
    form_completed.send(app, response=response, state=state)
    assert _orders() == []


def test_workspace_signals_are_documented():
    import re

    from blinker import NamedSignal

    from tracing_app.scripts import signals

    docs = (Path(__file__).parents[2] / "docs" / "plugins.md").read_text()
    section = docs.split("## Workspace signals", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^### `([\w-]+)`", section, flags=re.MULTILINE))
    named = {v.name for v in vars(signals).values() if isinstance(v, NamedSignal)}
    assert documented == named


def test_demo_campaigns_are_installed_once(app):
    from tracing_app.calls.demo import install_demo_campaigns
    from tracing_app.calls.models import Campaign
    from tracing_app.seed.scripts import install_demo_scripts

    install_demo_scripts()
    lines = install_demo_campaigns()
    db.session.commit()
    assert "campaign Cases: 3 demo calls queued" in lines
    assert install_demo_campaigns() == []
    campaigns = {c.name: c for c in db.session.scalars(select(Campaign))}
    assert campaigns["Contacts"].receives_contacts
    assert campaigns["Cases"].script.form_id == "outbound_case"
    assert len(_orders()) == 3
