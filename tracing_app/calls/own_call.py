"""The agent's own call, read with everything its pages need in one query.

The call desktop, the outcome and the script panel all start from the claimed order,
its ticket, campaign and script, the ticket's data key and the script form the agent has
in progress: one statement, built once per process, and 404 for any order that is not
(or no longer) this agent's call.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from flask import abort
from flask_login import current_user
from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import aliased, contains_eager, joinedload

from content.extensions import db
from tracing_app.calls.models import CLAIMED, CallOrder, Campaign
from tracing_app.protection.data_keys import DataKey
from tracing_app.scripts.models import IN_PROGRESS, FormResponse
from tracing_app.tickets import operations as tickets
from tracing_app.tickets.models import Ticket


@dataclass
class OwnCall:
    """The agent's claimed order, with what its pages need read in the same query."""

    order: CallOrder
    #: The script form this agent fills for the call's ticket, if one is in progress.
    response: FormResponse | None
    #: The ticket's data key row (id, wrapped key), both None if it has none.
    data_key: tuple[int | None, str | None]

    def ticket_keys(self):
        """Return the ticket's keys for :func:`tickets.person_data` (no query)."""
        return tickets.joined_key_ring(*self.data_key)


@functools.cache
def _own_call_query():
    # The call's pages all read its ticket, campaign and script, the ticket's data key and
    # the script form in progress: one query, not six. Built once: the same for everyone
    # but its parameters (building it cost about as much as running it).
    ticket = aliased(Ticket)
    return (
        select(CallOrder, DataKey.id, DataKey.wrapped_key, FormResponse)
        .outerjoin(ticket, CallOrder.ticket.of_type(ticket))
        .outerjoin(DataKey, tickets.data_key_of_ticket(ticket))
        .outerjoin(
            FormResponse,
            and_(
                FormResponse.id == ticket.script_response_id,
                FormResponse.state == IN_PROGRESS,
                FormResponse.agent_id == bindparam("agent_id"),
            ),
        )
        .where(CallOrder.id == bindparam("order_id"))
        .options(
            contains_eager(CallOrder.ticket.of_type(ticket)),
            joinedload(CallOrder.campaign).joinedload(Campaign.script),
            joinedload(FormResponse.script_version),
        )
    )


def own_call(order_id: int) -> OwnCall:
    """Return this agent's claimed order ``order_id`` with what its pages need, else 404."""
    row = db.session.execute(
        _own_call_query(), {"order_id": order_id, "agent_id": current_user.id}
    ).first()
    if row is None:
        abort(404)
    order, key_id, wrapped_key, response = row
    if order.state != CLAIMED or order.claimed_by_id != current_user.id:
        abort(404)  # not (or no longer) this agent's call
    return OwnCall(order, response, (key_id, wrapped_key))
