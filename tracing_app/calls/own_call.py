"""The agent's own call, read with everything its pages need in one query.

The call desktop and the script panel start from the claimed order, its ticket, campaign
and script, the ticket's data key and the script form the agent has in progress: one
statement, built once per process, and 404 for any order that is not (or no longer) this
agent's call. Recording the outcome reads only the order and its campaign (a row a third
as wide), and the whole call again only to show the form with its errors.

Opening the script and recording the outcome also need, before they write, what would
otherwise cost statements of their own (docs/performance.md, "Agents' requests"): on
PostgreSQL the read reserves the id of the row they insert (its encrypted columns are
bound to the id), and opening the script keeps the lease in the same statement.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import abort
from flask_login import current_user
from sqlalchemy import and_, bindparam, case, func, literal_column, select, update
from sqlalchemy.orm import aliased, contains_eager, defer, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from content.extensions import db
from tracing_app.calls import claims
from tracing_app.calls.models import CLAIMED, CallAttempt, CallOrder, Campaign
from tracing_app.protection.data_keys import DataKey
from tracing_app.scripts.models import IN_PROGRESS, PUBLISHED, FormResponse, ScriptVersion
from tracing_app.tickets import operations as tickets
from tracing_app.tickets.models import Ticket


@dataclass(frozen=True, slots=True)
class AttemptRow:
    """A call attempt as the call desktop shows it (read with the call, not an ORM row)."""

    id: int
    order_id: int
    agent_id: int | None
    outcome: str
    note_enc: str | None
    started_dt: datetime
    ended_dt: datetime
    callback_dt: datetime | None
    callback_anyone: bool


#: The columns of :class:`AttemptRow`, in the order the own-call read lists them.
_ATTEMPT_COLUMNS = list(AttemptRow.__slots__)
_ATTEMPT_TIMES = {"started_dt", "ended_dt", "callback_dt"}


@dataclass
class OwnCall:
    """The agent's claimed order, with what its pages need read in the same query."""

    order: CallOrder
    #: The script form this agent fills for the call's ticket, if one is in progress.
    response: FormResponse | None
    #: The ticket's data key row (id, wrapped key), both None if it has none.
    data_key: tuple[int | None, str | None]
    #: Every attempt of the ticket's orders, oldest first (:func:`own_call` only).
    attempts: list[AttemptRow] | None = None

    def ticket_keys(self):
        """Return the ticket's keys for :func:`tickets.person_data` (no query)."""
        return tickets.joined_key_ring(*self.data_key)


@dataclass
class ScriptCall:
    """The agent's claimed order as opening the script reads it (:func:`own_call_for_script`)."""

    order: CallOrder
    #: The script form this agent fills for the call's ticket, if one is in progress.
    response: FormResponse | None
    #: The published version of the campaign's script.
    script_version: ScriptVersion | None
    #: An id reserved for a new form (PostgreSQL, or SQLite under its write lock), else None.
    reserved_id: int | None = None


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
        .outerjoin(FormResponse, _form_in_progress(ticket))
        .where(CallOrder.id == bindparam("order_id"))
        .options(
            contains_eager(CallOrder.ticket.of_type(ticket)),
            joinedload(CallOrder.campaign).joinedload(Campaign.script),
            # The uploaded file (tens of kB) is for downloads only, never for the call.
            joinedload(FormResponse.script_version).defer(ScriptVersion.source_file),
        )
    )


def _form_in_progress(ticket):
    """The join condition of the script form the agent has in progress for ``ticket``."""
    return and_(
        FormResponse.id == ticket.script_response_id,
        FormResponse.state == IN_PROGRESS,
        FormResponse.agent_id == bindparam("agent_id"),
    )


@functools.cache
def _own_script_call_query():
    """Opening the script: the order, its ticket, the form in progress, the published version.

    Only what opening the script uses (no campaign, data key or version of the form in
    progress: a narrower row, fewer objects to load).
    """
    ticket = aliased(Ticket)
    # The version a new form starts with: the campaign script's published one (the last,
    # as scripts.current_version), without the uploaded file.
    published = aliased(ScriptVersion)
    latest = aliased(ScriptVersion)
    published_id = (
        select(latest.id)
        .join(Campaign, Campaign.script_id == latest.script_id)
        .where(Campaign.id == CallOrder.campaign_id, latest.state == PUBLISHED)
        .order_by(latest.number.desc())
        .limit(1)
        .correlate(CallOrder)
        .scalar_subquery()
    )
    return (
        select(CallOrder, FormResponse, published)
        .outerjoin(ticket, CallOrder.ticket.of_type(ticket))
        .outerjoin(FormResponse, _form_in_progress(ticket))
        .outerjoin(published, published.id == published_id)
        .where(CallOrder.id == bindparam("order_id"))
        .options(contains_eager(CallOrder.ticket.of_type(ticket)), defer(published.source_file))
    )


@functools.cache
def _own_order_query(*, reserve_attempt: bool):
    """The order and its campaign; ``reserve_attempt`` (PostgreSQL): an id for its attempt."""
    query = (
        select(CallOrder)
        .where(CallOrder.id == bindparam("order_id"))
        .options(joinedload(CallOrder.campaign))
    )
    if reserve_attempt:
        query = query.add_columns(_next_id(CallAttempt).label("reserved_id"))
    return query


@functools.cache
def _own_call_for_script_query():
    """PostgreSQL: the script's own-call read, keeping the lease, reserving a form id."""
    kept = _kept_lease()
    return (
        _own_script_call_query()
        .add_cte(kept)
        .add_columns(
            # The read's snapshot predates the CTE's write: its new end comes from it.
            select(kept.c.lease_until_dt).scalar_subquery().label("kept_until"),
            case((FormResponse.id.is_(None), _next_id(FormResponse))).label("reserved_id"),
        )
    )


def _kept_lease():
    """PostgreSQL: the lease UPDATE, a CTE of the own-call read (its new end, if it kept)."""
    table = CallOrder.__table__
    return (
        update(table)
        .where(
            table.c.id == bindparam("order_id"),
            table.c.state == CLAIMED,
            table.c.claimed_by_id == bindparam("agent_id"),
        )
        .values(lease_until_dt=bindparam("lease_until"))
        .returning(table.c.lease_until_dt)
        .cte("kept_lease")
    )


def _next_id(model):
    """PostgreSQL: the next value of ``model``'s id sequence (taken, never given back)."""
    return func.nextval(func.pg_get_serial_sequence(model.__tablename__, "id"))


def _on_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _checked(row) -> None:
    if row is None:
        abort(404)
    order = row[0]
    if order.state != CLAIMED or order.claimed_by_id != current_user.id:
        abort(404)  # not (or no longer) this agent's call


@functools.cache
def _own_call_with_attempts(*, postgresql: bool):
    """The own-call read with the ticket's attempts as one JSON array (the call desktop)."""
    # Nothing but the desktop needs them: a column of the one read, not a statement more.
    # JSON, because a ticket has several attempts and the read is one row.
    table = CallAttempt.__table__
    orders = CallOrder.__table__.alias("ticket_orders")
    columns = [table.c[name] for name in _ATTEMPT_COLUMNS]
    if postgresql:
        array = func.json_agg(func.json_build_array(*columns))
    else:
        array = func.json_group_array(func.json_array(*columns))
    attempts = (
        select(func.coalesce(array, literal_column("'[]'")))
        .select_from(table.join(orders, orders.c.id == table.c.order_id))
        .where(orders.c.ticket_id == CallOrder.ticket_id)
        .correlate(CallOrder)
        .scalar_subquery()
    )
    return _own_call_query().add_columns(attempts.label("attempts"))


def _attempt_rows(value) -> list[AttemptRow]:
    """Return the attempts read as JSON (text on SQLite), oldest first."""
    items = json.loads(value) if isinstance(value, str) else value
    rows = []
    for item in items:
        fields = dict(zip(_ATTEMPT_COLUMNS, item, strict=True))
        for name in _ATTEMPT_TIMES:  # stored as naive UTC (content.db_types.UTCDateTime)
            if fields[name] is not None:
                fields[name] = datetime.fromisoformat(fields[name]).replace(tzinfo=UTC)
        fields["callback_anyone"] = bool(fields["callback_anyone"])  # SQLite: 0 or 1
        rows.append(AttemptRow(**fields))
    return sorted(rows, key=lambda row: row.id)


def own_call(order_id: int) -> OwnCall:
    """Return this agent's claimed order ``order_id`` with what its pages need, else 404.

    Also read: every attempt of the ticket's orders (``attempts``), which the desktop shows.
    """
    query = _own_call_with_attempts(postgresql=_on_postgresql())
    row = db.session.execute(query, {"order_id": order_id, "agent_id": current_user.id}).first()
    _checked(row)
    order, key_id, wrapped_key, response, attempts = row
    return OwnCall(order, response, (key_id, wrapped_key), attempts=_attempt_rows(attempts))


def own_order_for_outcome(order_id: int) -> tuple[CallOrder, int | None]:
    """Return this agent's claimed order ``order_id`` with its campaign, else 404.

    Only what saving the outcome needs (a narrower row than :func:`own_call`'s, which the
    outcome form shown again with its errors reads); on PostgreSQL also an id reserved for
    the call's attempt (else None).
    """
    postgresql = _on_postgresql()
    row = db.session.execute(
        _own_order_query(reserve_attempt=postgresql), {"order_id": order_id}
    ).first()
    _checked(row)
    return row[0], row.reserved_id if postgresql else None


def own_call_for_script(order_id: int, *, now: datetime, lease: timedelta) -> ScriptCall:
    """Return this agent's claimed order ``order_id`` with its lease kept until ``now + lease``.

    Read with it: its ticket, the script form in progress, the published version of the
    campaign's script, and on PostgreSQL an id reserved for a new form when none is in
    progress. On PostgreSQL the lease is written by the read itself (a data-modifying
    CTE); on SQLite by an UPDATE that also returns the next form id, taken under the
    database's write lock that UPDATE holds.
    """
    params = {"order_id": order_id, "agent_id": current_user.id, "lease_until": now + lease}
    if _on_postgresql():
        row = db.session.execute(_own_call_for_script_query(), params).first()
        _checked(row)
        order, response, version, kept_until, reserved_id = row
        if kept_until is None:
            abort(404)  # claimed by someone else between the read's snapshot and its write
    else:
        row = db.session.execute(_own_script_call_query(), params).first()
        _checked(row)
        order, response, version = row
        if response is not None:  # the form in progress is continued: no id to reserve
            try:
                claims.keep_lease(order, current_user._get_current_object(), now=now, lease=lease)
            except claims.NotClaimedByAgent:
                abort(404)
            return ScriptCall(order, response, version)
        reserved_id = _keep_lease_on_sqlite(order, params["lease_until"])
    set_committed_value(order, "lease_until_dt", params["lease_until"])
    return ScriptCall(order, response, version, reserved_id)


def _keep_lease_on_sqlite(order: CallOrder, lease_until: datetime) -> int:
    """Keep the lease until ``lease_until`` and return the id of the next form (SQLite)."""
    # The UPDATE takes SQLite's single write lock first: until the commit nobody else can
    # insert a form, so the id after the largest is this request's (SQLite's own choice
    # for a table without AUTOINCREMENT).
    next_form_id = select(func.coalesce(func.max(FormResponse.id), 0) + 1).scalar_subquery()
    values = {"lease_until_dt": lease_until}
    agent = current_user._get_current_object()
    row = db.session.execute(
        claims.own_claim_update(order, agent, values).returning(next_form_id)
    ).first()
    if row is None:
        abort(404)  # the lease ran out and another agent claimed the call meanwhile
    return row[0]
