"""Views of the JSON API (registered on :data:`tracing_app.exchange.api.bp`)."""

from __future__ import annotations

from flask import jsonify

from content.auth.roles import PUBLIC, requires
from tracing_app.exchange import dictionary
from tracing_app.exchange.api import api_view, bp
from tracing_app.exchange.openapi import document, operation
from tracing_app.exchange.tokens import DATA_READ


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
