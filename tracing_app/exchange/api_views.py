"""Views of the JSON API (registered on :data:`tracing_app.exchange.api.bp`)."""

from __future__ import annotations

from flask import g, jsonify, request

from content.auth.roles import PUBLIC, requires
from content.extensions import db
from content.i18n import _
from tracing_app.calls import importer
from tracing_app.exchange import dictionary, orders
from tracing_app.exchange.api import api_view, bp, problem
from tracing_app.exchange.openapi import document, operation
from tracing_app.exchange.tokens import DATA_READ, ORDERS_WRITE


@bp.get("/openapi.json")
@requires(PUBLIC)
def openapi_document():
    """The OpenAPI document (public: it describes the calls, not the data)."""
    return jsonify(document())


@bp.get("/data-dictionary")
@api_view(DATA_READ)
def data_dictionary():
    """The data dictionary of every published script version."""
    return jsonify(dictionary.as_json(dictionary.data_dictionary()))


operation(
    "api.data_dictionary",
    "/api/v1/data-dictionary",
    "get",
    {
        "summary": "Data dictionary of the published script versions",
        "description": (
            "Every field of every script version that was published: name, type, labels "
            "in four languages, allowed values. Exported answers are keyed by these names."
        ),
        "responses": {
            "200": {
                "description": "The dictionary.",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/DataDictionary"}}
                },
            }
        },
    },
    scope=DATA_READ,
)


@bp.post("/call-orders")
@api_view(ORDERS_WRITE)
def import_call_orders():
    """Queue a batch of call orders: all or nothing; the same batch twice creates nothing new."""
    payload = request.get_json(silent=True)
    try:
        result, replayed = orders.import_batch(g.api_client, payload)
    except orders.BatchRefused as refused:
        db.session.rollback()
        return problem(
            422, "Unprocessable Content", _("Nothing was imported."), errors=refused.errors
        )
    return jsonify({**result, "replayed": replayed}), 200 if replayed else 201


ORDER_ITEM = {
    "type": "object",
    "description": "One person to call. Every field is text; phone is required.",
    "properties": {name: {"type": ["string", "integer", "null"]} for name in importer.COLUMNS},
    "additionalProperties": False,
}
BATCH_RESULT = {
    "type": "object",
    "required": ["batch_id", "campaign", "orders_queued", "replayed"],
    "properties": {
        "batch_id": {"type": "string"},
        "campaign": {"type": "string"},
        "orders_queued": {"type": "integer"},
        "tickets_created": {"type": "integer"},
        "tickets_linked": {"type": "integer"},
        "already_queued": {"type": "array", "items": {"type": "integer"}},
        "possible_duplicates": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "item": {"type": "integer"},
                    "ticket": {"type": "string"},
                    "others": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
        "replayed": {"type": "boolean"},
    },
}
BATCH_ERRORS = {
    "allOf": [
        {"$ref": "#/components/schemas/Problem"},
        {
            "type": "object",
            "required": ["errors"],
            "properties": {
                "errors": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["item", "field", "message"],
                        "properties": {
                            "item": {"type": "integer", "description": "1-based; 0: the request"},
                            "field": {"type": "string"},
                            "message": {"type": "string"},
                        },
                    },
                }
            },
        },
    ]
}

operation(
    "api.import_call_orders",
    "/api/v1/call-orders",
    "post",
    {
        "summary": "Queue a batch of call orders",
        "description": (
            "Validated like the CSV import: any error imports nothing and every error is "
            "returned by item and field. A batch is identified by the client's batch_id: "
            "sending it again returns the first answer (replayed: true) and creates nothing."
        ),
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["batch_id", "campaign", "orders"],
                        "properties": {
                            "batch_id": {"type": "string", "minLength": 1, "maxLength": 100},
                            "campaign": {"type": "string"},
                            "orders": {"type": "array", "items": ORDER_ITEM},
                        },
                    }
                }
            },
        },
        "responses": {
            "201": {
                "description": "Imported.",
                "content": {"application/json": {"schema": BATCH_RESULT}},
            },
            "200": {
                "description": "This batch was imported before; its first answer.",
                "content": {"application/json": {"schema": BATCH_RESULT}},
            },
            "422": {
                "description": "Nothing was imported; the errors by item.",
                "content": {"application/problem+json": {"schema": BATCH_ERRORS}},
            },
        },
    },
    scope=ORDERS_WRITE,
)
