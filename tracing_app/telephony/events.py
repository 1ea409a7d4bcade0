"""Call events from the telephony: ringing, answered, ended; idempotent per event id.

A call is known by the telephony's call id. Outbound calls placed from the call page carry
the id the platform gave them (``order-<order id>-<attempt number>``, see ``dialer``), so
their durations land on that call attempt, whichever comes first: the outcome recorded by
the agent or the telephony's "ended".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Integer, and_, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from content.auth.models import utcnow
from content.extensions import db
from tracing_app.calls import board
from tracing_app.calls.models import CallAttempt, CallOrder
from tracing_app.telephony.models import (
    ANSWERED,
    ENDED,
    EVENT_TYPES,
    INBOUND,
    OUTBOUND,
    RINGING,
    TelephonyCall,
    TelephonyCallEvent,
)

_OUTBOUND_ID = re.compile(r"^order-(\d{1,12})-(\d{1,6})$")
_ID = re.compile(r"^[A-Za-z0-9._:@-]{1,100}$")


class EventRefused(ValueError):
    """The event is not valid; ``errors`` maps a field to what is wrong (not translated)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("event refused")
        self.errors = errors


@dataclass(frozen=True)
class Event:
    """A valid call event."""

    event_id: str
    call_id: str
    event_type: str
    occurred_dt: datetime


def parse_event(payload: object) -> Event:
    """Check a reported event.

    :raise EventRefused: with every problem found.
    """
    if not isinstance(payload, dict):
        raise EventRefused({"": "a JSON object is required"})
    errors = {}
    for field in ("event_id", "call_id"):
        value = payload.get(field)
        if not isinstance(value, str) or not _ID.match(value):
            errors[field] = "1 to 100 letters, digits or . _ : @ -"
    if payload.get("type") not in EVENT_TYPES:
        errors["type"] = f"one of {', '.join(EVENT_TYPES)}"
    occurred = payload.get("occurred_at")
    occurred_dt = None
    try:
        occurred_dt = datetime.fromisoformat(str(occurred))
        if occurred_dt.tzinfo is None:
            raise ValueError
    except ValueError:
        errors["occurred_at"] = "an ISO 8601 date and time with its offset"
    if errors:
        raise EventRefused(errors)
    return Event(
        payload["event_id"], payload["call_id"], payload["type"], occurred_dt.astimezone(UTC)
    )


def _call(call_id: str) -> TelephonyCall:
    call = db.session.scalar(select(TelephonyCall).where(TelephonyCall.call_id == call_id))
    if call is not None:
        return call
    call = TelephonyCall(call_id=call_id, direction=INBOUND)
    match = _OUTBOUND_ID.match(call_id)
    if match and db.session.get(CallOrder, int(match.group(1))) is not None:
        call.direction = OUTBOUND
        call.order_id, call.attempt_number = int(match.group(1)), int(match.group(2))
    db.session.add(call)
    db.session.flush()
    return call


def record_event(event: Event, *, client_id: int | None) -> bool:
    """Store an event and update its call; flushed. Return False if it was known already."""
    if db.session.scalar(
        select(TelephonyCallEvent.id).where(TelephonyCallEvent.event_id == event.event_id)
    ):
        return False
    call = _call(event.call_id)
    try:
        with db.session.begin_nested():  # the same event sent twice at once: one row
            db.session.add(
                TelephonyCallEvent(
                    event_id=event.event_id,
                    call_id=call.id,
                    event_type=event.event_type,
                    occurred_dt=event.occurred_dt,
                    received_dt=utcnow(),
                    client_id=client_id,
                )
            )
            db.session.flush()
    except IntegrityError:
        return False
    column = {RINGING: "ringing_dt", ANSWERED: "answered_dt", ENDED: "ended_dt"}[event.event_type]
    setattr(call, column, event.occurred_dt)
    db.session.flush()
    attach_durations(call)
    board.changed()
    return True


def attach_durations(call: TelephonyCall) -> None:
    """Copy an outbound call's durations onto its attempt, once both exist."""
    if call.order_id is None or call.attempt_number is None:
        return
    attempts = db.session.scalars(
        select(CallAttempt).where(CallAttempt.order_id == call.order_id).order_by(CallAttempt.id)
    ).all()
    if len(attempts) >= call.attempt_number:
        attempt = attempts[call.attempt_number - 1]
        attempt.ring_seconds, attempt.talk_seconds = call.ring_seconds, call.talk_seconds


def _whole_seconds(start, stop):
    """PostgreSQL: ``max(0, int((stop - start).total_seconds()))``, NULL if either is NULL."""
    seconds = func.floor(func.extract("epoch", stop - start))
    return case(
        (and_(start.is_not(None), stop.is_not(None)), func.greatest(0, seconds)),
    ).cast(Integer)


def reported_durations(order_id, attempt_number) -> tuple:
    """PostgreSQL: the ring and talk seconds reported for an order's attempt, as SQL.

    Two scalar subqueries (NULL when the telephony reported nothing yet) computed as
    :attr:`TelephonyCall.ring_seconds` and :attr:`TelephonyCall.talk_seconds` are, for the
    INSERT of the attempt (``calls.operations.record_outcome``).
    """
    call = aliased(TelephonyCall)
    ring_stop = func.coalesce(call.answered_dt, call.ended_dt)
    durations = []
    for start, stop in ((call.ringing_dt, ring_stop), (call.answered_dt, call.ended_dt)):
        durations.append(
            select(_whole_seconds(start, stop))
            .where(call.order_id == order_id, call.attempt_number == attempt_number)
            .order_by(call.id)
            .limit(1)
            .scalar_subquery()
        )
    return tuple(durations)


def reported_times(order_id, attempt_number) -> tuple:
    """When an order's attempt rang, was answered and ended, as SQL (scalar subqueries).

    For the statement that ends the call (``calls.operations.record_outcome``, SQLite);
    :func:`durations` turns them into seconds.
    """
    return tuple(
        select(column)
        .where(TelephonyCall.order_id == order_id, TelephonyCall.attempt_number == attempt_number)
        .order_by(TelephonyCall.id)
        .limit(1)
        .scalar_subquery()
        for column in (TelephonyCall.ringing_dt, TelephonyCall.answered_dt, TelephonyCall.ended_dt)
    )


def durations(ringing_dt, answered_dt, ended_dt) -> tuple[int | None, int | None]:
    """Return the ring and talk seconds of a call that rang, was answered and ended then."""
    call = TelephonyCall(ringing_dt=ringing_dt, answered_dt=answered_dt, ended_dt=ended_dt)
    return call.ring_seconds, call.talk_seconds


def attempt_recorded(attempt: CallAttempt) -> None:
    """Give a just recorded (flushed) attempt the durations the telephony reported already."""
    # The attempt's number (the order's attempts so far) is counted in the same query.
    number = (
        select(func.count())
        .select_from(CallAttempt)
        .where(CallAttempt.order_id == attempt.order_id, CallAttempt.id <= attempt.id)
        .scalar_subquery()
    )
    call = db.session.scalar(
        select(TelephonyCall).where(
            TelephonyCall.order_id == attempt.order_id, TelephonyCall.attempt_number == number
        )
    )
    if call is not None:
        attempt.ring_seconds, attempt.talk_seconds = call.ring_seconds, call.talk_seconds
