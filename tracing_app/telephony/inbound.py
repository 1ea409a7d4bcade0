"""Inbound calls: the screen pop finds the caller's ticket and puts the call on the desktop.

An inbound call becomes a call order of the inbound campaign (created on first use, never
handed out by "Next call"), claimed by the agent who answered, so the call desktop shows
it like any other call: context, the inbound script, the outcome.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from content.extensions import db
from tracing_app.calls import agent_states
from tracing_app.calls.models import CLAIMED, CallOrder, Campaign
from tracing_app.protection import blind_index as bi
from tracing_app.scripts import operations as scripts
from tracing_app.telephony.models import INBOUND, TelephonyCall
from tracing_app.tickets import operations as tickets
from tracing_app.tickets.lookup import lookup
from tracing_app.tickets.models import Ticket

#: The audit reason of the screen pop's lookup (a reason code, never personal data).
REASON = "inbound call"
#: An inbound call is held as long as a scripted outbound one.
INBOUND_LEASE = timedelta(minutes=45)


def normal_number(caller: str) -> str:
    """Return the caller's number in its normal (E.164) form, as the blind index keeps it.

    :raise NormalizationError: not a phone number.
    """
    return bi.normalize(bi.PHONE, caller)


def find_callers(caller: str, *, agent) -> list[Ticket]:
    """Look the number up through the phone blind index (audited, grants access to each).

    :raise NormalizationError: not a phone number.
    """
    return lookup(bi.PHONE, normal_number(caller), actor=agent, reason=REASON)


def inbound_campaign() -> Campaign:
    """Return the inbound campaign, created with the inbound script on first use."""
    name = current_app.config.get("TELEPHONY_INBOUND_CAMPAIGN", "Inbound calls")
    campaign = db.session.scalar(select(Campaign).where(Campaign.name == name))
    if campaign is None:
        form_id = current_app.config.get("TICKETS_INBOUND_SCRIPT", "inbound_callback")
        script = next((s for s in scripts.list_scripts() if s.form_id == form_id), None)
        # Not active: "Next call" never hands out its orders; the telephony does.
        campaign = Campaign(name=name, active=False, script_id=script.id if script else None)
        db.session.add(campaign)
        db.session.flush()
    return campaign


def new_caller_ticket(caller: str, *, agent, language: str) -> Ticket:
    """Create the ticket of an unknown caller, prefilled with their number (audited)."""
    person = tickets.PersonData(phone=normal_number(caller), language=language)
    return tickets.create_ticket(person, actor=agent, source="inbound")


def take_call(ticket: Ticket, *, agent, call_id: str | None, now: datetime) -> CallOrder:
    """Put the inbound call for ``ticket`` on the agent's desktop, with the inbound script."""
    campaign = inbound_campaign()
    order = CallOrder(
        campaign_id=campaign.id,
        due_dt=now,
        state=CLAIMED,
        claimed_by_id=agent.id,
        claimed_dt=now,
        lease_until_dt=now + INBOUND_LEASE,
        ticket_id=ticket.id,
    )
    db.session.add(order)
    db.session.flush()
    if call_id and not db.session.scalar(
        select(TelephonyCall.id).where(TelephonyCall.call_id == call_id)
    ):
        db.session.add(
            TelephonyCall(call_id=call_id, direction=INBOUND, order_id=order.id, attempt_number=1)
        )
    version = scripts.current_version(campaign.script) if campaign.script else None
    if version is not None and agent.can("scripts.fill"):
        response = scripts.start_form(version, agent=agent, language=ticket.language)
        tickets.link_script_response(ticket, response.id, actor=agent)
    tickets.record_contact(ticket, actor=agent, script="screen-pop")
    agent_states.set_state(agent.id, agent_states.ON_CALL, now=now)
    return order
