"""Views of the JSON API (registered on :data:`tracing_app.exchange.api.bp`)."""

from __future__ import annotations

from flask import Response, g, jsonify, request

from content.auth.roles import PUBLIC, requires
from content.extensions import db
from content.i18n import _
from content.web import problem
from tracing_app.calls import importer
from tracing_app.exchange import dictionary, export, fhir, orders
from tracing_app.exchange.api import api_view, bp
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
    try:
        payload = orders.read_body(request.get_data(cache=False))
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


@bp.get("/exports/<feed>")
@api_view(DATA_READ)
def export_feed(feed: str):
    """One page of collected data after a cursor, as JSON Lines, CSV or JSON."""
    if feed not in export.FEEDS:
        return problem(404, "Not Found", _("No such export."))
    output = request.args.get("format", "jsonl")
    if output not in export.FORMATS or (output == "fhir" and feed != "forms"):
        return problem(400, "Bad Request", _("format is one of jsonl, csv, json; fhir for forms."))
    try:
        limit = int(request.args.get("limit", "1000"))
        page = export.read_page(feed, request.args.get("cursor"), limit)
    except ValueError:  # a malformed limit, or a cursor this site did not give out
        return problem(400, "Bad Request", _("Give the cursor of an earlier page and a number."))
    headers = {"X-Next-Cursor": page.next_cursor, "X-More": "true" if page.more else "false"}
    if output == "json":
        body = {"records": page.records, "next_cursor": page.next_cursor, "more": page.more}
        return jsonify(body), 200, headers
    if output == "csv":
        text = "".join(export.csv_lines(feed, page.records))
        return Response(text, mimetype="text/csv", headers=headers)
    if output == "fhir":
        text = "".join(fhir.response_lines(page.records))
        return Response(text, mimetype="application/fhir+ndjson", headers=headers)
    text = "".join(export.jsonl_lines(page.records))
    return Response(text, mimetype="application/x-ndjson", headers=headers)


_PAGE_HEADERS = {
    "X-Next-Cursor": {
        "description": "Ask for the next page with this cursor (also when nothing came).",
        "schema": {"type": "string"},
    },
    "X-More": {
        "description": "true when the page was full: ask again at once.",
        "schema": {"type": "string", "enum": ["true", "false"]},
    },
}
_PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}

operation(
    "api.export_feed",
    "/api/v1/exports/{feed}",
    "get",
    {
        "summary": "Collected data after a cursor",
        "description": (
            "Tickets, call attempts and filled forms saved since the cursor, oldest first. "
            "Keep the X-Next-Cursor of each page and send it back: no record is missed or "
            "sent twice, even while agents keep saving. A record changed again is sent "
            "again. Personal fields are left out or pseudonymized as the site is configured."
        ),
        "parameters": [
            {
                "name": "feed",
                "in": "path",
                "required": True,
                "schema": {"type": "string", "enum": list(export.FEEDS)},
            },
            {
                "name": "cursor",
                "in": "query",
                "description": "X-Next-Cursor of an earlier page; none: from the start.",
                "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]*$", "maxLength": 64},
            },
            {
                "name": "limit",
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": export.MAX_PAGE},
            },
            {
                "name": "format",
                "in": "query",
                "schema": {"type": "string", "enum": list(export.FORMATS)},
            },
        ],
        "responses": {
            "200": {
                "description": "A page of records.",
                "headers": _PAGE_HEADERS,
                "content": {
                    "application/x-ndjson": {"schema": {"type": "string"}},
                    "text/csv": {"schema": {"type": "string"}},
                    "application/fhir+ndjson": {"schema": {"type": "string"}},
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["records", "next_cursor", "more"],
                            "properties": {
                                "records": {"type": "array", "items": {"type": "object"}},
                                "next_cursor": {"type": "string"},
                                "more": {"type": "boolean"},
                            },
                        }
                    },
                },
            },
            "400": {
                "description": (
                    "A parameter outside the document (limit, format), or a cursor this "
                    "site did not give out."
                ),
                "content": _PROBLEM,
            },
            "404": {"description": "No such feed.", "content": _PROBLEM},
        },
    },
    scope=DATA_READ,
)


@bp.get("/fhir/Questionnaire/<form_id>")
@api_view(DATA_READ)
def fhir_questionnaire(form_id: str):
    """A call script as a FHIR Questionnaire (the current version, or ``?version=N``)."""
    number = request.args.get("version")
    if number is not None and not number.isdigit():
        return problem(400, "Bad Request", _("version is a version number."))
    version = fhir.find_version(form_id, int(number) if number else None)
    if version is None:
        return problem(404, "Not Found", _("No published version of that script."))
    response = jsonify(fhir.questionnaire(version))
    response.mimetype = "application/fhir+json"
    return response


operation(
    "api.fhir_questionnaire",
    "/api/v1/fhir/Questionnaire/{form_id}",
    "get",
    {
        "summary": "A call script as a FHIR R4 Questionnaire",
        "description": (
            "Items with labels in the script's language and translations as FHIR extensions; "
            "filled forms refer to it as questionnaire|version (exports/forms?format=fhir)."
        ),
        "parameters": [
            {"name": "form_id", "in": "path", "required": True, "schema": {"type": "string"}},
            {"name": "version", "in": "query", "schema": {"type": "string", "pattern": "^[0-9]+$"}},
        ],
        "responses": {
            "200": {
                "description": "The Questionnaire.",
                "content": {
                    "application/fhir+json": {
                        "schema": {
                            "type": "object",
                            "required": ["resourceType", "status", "item"],
                            "properties": {"resourceType": {"const": "Questionnaire"}},
                        }
                    }
                },
            },
            "400": {"description": "A version that is not a number.", "content": _PROBLEM},
            "404": {"description": "No published version of that script.", "content": _PROBLEM},
        },
    },
    scope=DATA_READ,
)
