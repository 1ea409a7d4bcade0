"""Query parameters of API calls, checked against the OpenAPI document before the view runs.

The document is the contract: a value it forbids (``limit=0`` below the minimum, a format
outside the enum, a malformed cursor) is answered 400 with the parameter and the rule it
breaks, instead of being quietly clamped or reaching the view. JSON Schema validation is
jsonschema-rs (Draft 2020-12, the dialect of OpenAPI 3.1).
"""

from __future__ import annotations

import functools
import re

import jsonschema_rs
from flask import request

from content.i18n import _
from tracing_app.exchange.openapi import OPERATIONS

_INTEGER = re.compile(r"-?[0-9]{1,19}")

#: jsonschema-rs error kinds -> the schema keyword they break.
_KEYWORDS = {
    "Minimum": "minimum",
    "Maximum": "maximum",
    "ExclusiveMinimum": "exclusiveMinimum",
    "ExclusiveMaximum": "exclusiveMaximum",
    "Enum": "enum",
    "Constant": "const",
    "Pattern": "pattern",
    "MinLength": "minLength",
    "MaxLength": "maxLength",
    "Type": "type",
}


@functools.cache
def _validator(endpoint: str, name: str):
    for parameter in OPERATIONS[endpoint][2].get("parameters", []):
        if parameter["in"] == "query" and parameter["name"] == name:
            return jsonschema_rs.Draft202012Validator(parameter.get("schema", {}))
    raise KeyError(name)


def _query_parameters(endpoint: str) -> list[dict]:
    if endpoint not in OPERATIONS:
        return []
    return [p for p in OPERATIONS[endpoint][2].get("parameters", []) if p["in"] == "query"]


def _typed(raw: str, schema: dict) -> object:
    """Read a query string value as the type the schema gives it (text stays text)."""
    if schema.get("type") == "integer" and _INTEGER.fullmatch(raw):
        return int(raw)
    return raw


def _rule(kind: str, schema: dict) -> str:
    keyword = _KEYWORDS.get(kind, kind)
    value = schema.get(keyword)
    if isinstance(value, list):
        value = ", ".join(str(item) for item in value)
    return f"{keyword} {value}" if value is not None else keyword


def query_errors(endpoint: str) -> list[dict]:
    """Return the request's query parameters that break the document, as problem entries.

    Each entry is ``{"parameter": name, "message": translated text}``.
    """
    errors = []
    for parameter in _query_parameters(endpoint):
        name, schema = parameter["name"], parameter.get("schema", {})
        values = request.args.getlist(name)
        if not values:
            if parameter.get("required"):
                errors.append({"parameter": name, "message": _("This parameter is required.")})
            continue
        if len(values) > 1:
            errors.append({"parameter": name, "message": _("Give this parameter once.")})
            continue
        for error in _validator(endpoint, name).iter_errors(_typed(values[0], schema)):
            rule = _rule(type(error.kind).__name__, schema)
            errors.append(
                {
                    "parameter": name,
                    "message": _(
                        "The value breaks the rule %(rule)s of the API document.", rule=rule
                    ),
                }
            )
            break
    return errors
