"""The machine clients' JSON API under ``/api/v1``: token authentication, scopes, rate limit, audit.

Every API view is declared ``PUBLIC`` for the site's session check (machine clients have
no session) and wrapped by :func:`api_view`, which does the API's own checks in order:
token (401), scope (403), rate limit (429), query parameters against the OpenAPI document
(400); then the view runs and the call is audited. Errors are RFC 9457 problem documents
(``application/problem+json``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta

from flask import Blueprint, current_app, g, request
from werkzeug.exceptions import HTTPException

from content.auth.roles import PUBLIC, requires
from content.extensions import csrf, db
from content.i18n import _
from content.web import http_problem, problem
from tracing_app.audit.operations import record
from tracing_app.exchange import tokens
from tracing_app.exchange.parameters import query_errors

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Machine clients authenticate every request with a token, not a cookie: no CSRF exposure.
csrf.exempt(bp)

RATE_WINDOW = timedelta(minutes=1)


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _over_rate_limit(client) -> int:
    """Count this call; return the seconds to wait when the client is over its limit, else 0."""
    store = current_app.extensions["tracing.login_failures"]
    key = f"api-client:{client.id}"
    limit = current_app.config["API_RATE_LIMIT_PER_MINUTE"]
    if store.count(key, RATE_WINDOW) >= limit:
        age = store.oldest(key, RATE_WINDOW) or 0.0
        return max(1, int(RATE_WINDOW.total_seconds() - age) + 1)
    store.record(key)
    return 0


def api_view(scope: str | None) -> Callable:
    """Wrap an API view: authenticate the client, check ``scope``, rate-limit, audit.

    :param scope: the scope the view needs, or None for any authenticated client.
    """

    def decorate(view: Callable) -> Callable:
        @requires(PUBLIC)
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            token = _bearer_token()
            client = tokens.authenticate(token) if token else None
            if client is None:
                response = problem(401, "Unauthorized", "A valid API token is required.")
                response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
                return response
            if scope is not None and scope not in client.scope_set:
                return problem(403, "Forbidden", f"This call needs the scope {scope}.")
            wait = _over_rate_limit(client)
            if wait:
                response = problem(429, "Too Many Requests", "Slow down and retry later.")
                response.headers["Retry-After"] = str(wait)
                return response
            # After the rate limit: its counter may write on a connection of its own, which
            # SQLite would refuse while this session holds the write lock.
            tokens.note_use(client)
            g.api_client = client
            errors = query_errors(request.endpoint)
            try:
                if errors:
                    result = problem(
                        400, "Bad Request", _("A query parameter is not valid."), errors=errors
                    )
                else:
                    result = view(*args, **kwargs)
            except HTTPException as exc:
                result = http_problem(exc)
            response = current_app.make_response(result)
            record(
                "api.call",
                actor=None,
                subject_type="api_client",
                subject_id=client.id,
                details={"endpoint": request.endpoint, "method": request.method,
                         "status": response.status_code},
            )  # fmt: skip
            db.session.commit()
            return response

        wrapper.api_scope = scope
        return wrapper

    return decorate
