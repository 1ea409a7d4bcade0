"""The call-events webhook of the telephony (registered on the exchange's ``/api/v1``)."""

from __future__ import annotations

from flask import g, jsonify, request

from content.extensions import db
from content.i18n import _
from content.web import problem
from tracing_app.exchange.api import api_view, bp
from tracing_app.exchange.openapi import operation
from tracing_app.exchange.tokens import CALL_EVENTS
from tracing_app.telephony import events


@bp.post("/call-events")
@api_view(CALL_EVENTS)
def report_call_event():
    """Record one call event; the same event id again changes nothing."""
    try:
        event = events.parse_event(request.get_json(silent=True))
    except events.EventRefused as refused:
        return problem(
            422, "Unprocessable Content", _("The event is not valid."), errors=refused.errors
        )
    created = events.record_event(event, client_id=g.api_client.id)
    db.session.flush()
    return jsonify({"event_id": event.event_id, "replayed": not created}), 201 if created else 200


_PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
_RESULT = {
    "type": "object",
    "required": ["event_id", "replayed"],
    "properties": {"event_id": {"type": "string"}, "replayed": {"type": "boolean"}},
}

operation(
    "api.report_call_event",
    "/api/v1/call-events",
    "post",
    {
        "summary": "Report a telephony call event",
        "description": (
            "The telephony reports when a call rings, is answered and ends, with the time it "
            "happened. Durations land on the call attempt (outbound calls placed from the "
            "call page carry the call id `order-<order>-<attempt>` given in the dialer URL) "
            "and in the supervisors' figures. Idempotent per event id: sending an event "
            "again answers 200 with `replayed: true` and changes nothing."
        ),
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["event_id", "call_id", "type", "occurred_at"],
                        "properties": {
                            "event_id": {
                                "type": "string",
                                "pattern": "^[A-Za-z0-9._:@-]{1,100}$",
                                "description": "Unique per event, e.g. the PBX's event UUID.",
                            },
                            "call_id": {
                                "type": "string",
                                "pattern": "^[A-Za-z0-9._:@-]{1,100}$",
                                "description": "The call, as in the screen pop or dialer URL.",
                            },
                            "type": {"type": "string", "enum": ["ringing", "answered", "ended"]},
                            "occurred_at": {
                                "type": "string",
                                "format": "date-time",
                                "description": "When it happened, with its UTC offset.",
                            },
                        },
                    }
                }
            },
        },
        "responses": {
            "201": {
                "description": "Recorded.",
                "content": {"application/json": {"schema": _RESULT}},
            },
            "200": {
                "description": "This event id was recorded before: nothing changed.",
                "content": {"application/json": {"schema": _RESULT}},
            },
            "422": {"description": "The event is not valid.", "content": _PROBLEM},
        },
    },
    scope=CALL_EVENTS,
)
