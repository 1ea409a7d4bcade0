"""The OpenAPI 3.1 document of ``/api/v1``, built from the registered API views.

Each API view states its path item in :data:`OPERATIONS`; the document is assembled from
them so that a view without a description fails the test that walks the URL map, and
schemathesis checks every response against what is written here.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

PROBLEM = {"$ref": "#/components/schemas/Problem"}


def _problem_response(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": PROBLEM}},
    }


AUTH_RESPONSES = {
    "401": _problem_response("Missing, unknown or revoked token."),
    "403": _problem_response("The token lacks the scope this call needs."),
    "429": {
        **_problem_response("Too many calls; retry after the given seconds."),
        "headers": {"Retry-After": {"schema": {"type": "string"}}},
    },
}

LABELS = {"type": "object", "additionalProperties": {"type": "string"}}

SCHEMAS: dict[str, Any] = {
    "Problem": {
        "type": "object",
        "required": ["type", "title", "status"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
        },
    },
    "AllowedValue": {
        "type": "object",
        "required": ["value", "labels"],
        "properties": {"value": {"type": "string"}, "labels": LABELS},
    },
    "Field": {
        "type": "object",
        "required": ["name", "path", "type", "value_type", "labels", "required"],
        "properties": {
            "name": {"type": "string"},
            "path": {"type": "string"},
            "type": {"type": "string"},
            "value_type": {"type": "string"},
            "labels": LABELS,
            "required": {"type": ["boolean", "string"]},
            "identifier": {"type": ["string", "null"]},
            "repeat": {"type": ["string", "null"]},
            "allowed_values": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/AllowedValue"},
            },
        },
    },
    "ScriptVersion": {
        "type": "object",
        "required": ["form_id", "version", "number", "state", "fields"],
        "properties": {
            "form_id": {"type": "string"},
            "version": {"type": "string"},
            "number": {"type": "integer"},
            "state": {"type": "string", "enum": ["published", "retired"]},
            "title": LABELS,
            "published_dt": {"type": ["string", "null"], "format": "date-time"},
            "fields": {"type": "array", "items": {"$ref": "#/components/schemas/Field"}},
        },
    },
    "DataDictionary": {
        "type": "object",
        "required": ["scripts"],
        "properties": {
            "scripts": {"type": "array", "items": {"$ref": "#/components/schemas/ScriptVersion"}}
        },
    },
}

#: endpoint -> (path, method, operation object); API views add theirs with :func:`operation`.
OPERATIONS: dict[str, tuple[str, str, dict]] = {}


def operation(endpoint: str, path: str, method: str, spec: dict, *, scope: str | None) -> None:
    """Describe one API call; ``scope`` adds the security requirement and auth responses."""
    spec = {"operationId": endpoint.replace(".", "_"), **spec}
    if scope is not None:
        spec["security"] = [{"token": [scope]}]
        spec["responses"] = {**spec["responses"], **AUTH_RESPONSES}
    OPERATIONS[endpoint] = (path, method, spec)


def document() -> dict:
    """Return the OpenAPI 3.1 document of the API."""
    paths: dict[str, dict] = {}
    for path, method, spec in OPERATIONS.values():
        paths.setdefault(path, {})[method] = spec
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{current_app.config['SITE_NAME']} exchange API",
            "version": "1",
            "description": (
                "Machine-to-machine exchange with the public-health institute: call orders "
                "in, collected data out. Every call needs a bearer token created by an "
                "administrator, with the scope the call names."
            ),
        },
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token from `tracing-app exchange tokens create`.",
                }
            },
        },
    }
