"""The machine clients' part of the site frame: everything under ``/api/``.

Answers there are RFC 9457 problem documents, never HTML pages, and a method a resource
does not support is a 405 whose ``Allow`` lists the methods of the API's own routes: the
CMS's catch-all page route (``/<lang_code>/<path:path>``) also matches ``/api/v1/…``
for GET, and must neither answer there nor show up in ``Allow``.
"""

from __future__ import annotations

from flask import Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

API_PREFIX = "/api/"
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
#: Headers of an HTTP error that its answer must keep (405 needs Allow, RFC 9110 15.5.6).
KEPT_ERROR_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def is_api_request() -> bool:
    """Return whether the request is for the machine clients' API."""
    return request.path.startswith(API_PREFIX)


def problem(status: int, title: str, detail: str = "", **extra):
    """Return an RFC 9457 problem document, for machine clients under ``/api/``."""
    body = {"type": "about:blank", "title": title, "status": status, **extra}
    if detail:
        body["detail"] = detail
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def kept_headers(error: HTTPException) -> dict[str, str]:
    """Return the headers of an HTTP error that a rendered answer must keep."""
    return {name: value for name, value in error.get_headers() if name in KEPT_ERROR_HEADERS}


def http_problem(error: HTTPException):
    """Return an HTTP error as a problem document, with the headers it needs (``Allow``)."""
    response = problem(error.code or 500, error.name, error.description or "")
    response.headers.extend(kept_headers(error))
    if isinstance(error, MethodNotAllowed):
        # Routing counts page routes too: only the API's own methods are allowed here. An
        # unknown API URL allows none, which an empty Allow says (RFC 9110 10.2.1).
        response.headers["Allow"] = ", ".join(api_methods())
    return response


def api_methods() -> list[str]:
    """Return the methods the API's own routes accept at the request's path (sorted)."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = set()
    for method in _METHODS:
        try:
            rule, _args = adapter.match(method=method, return_rule=True)
        except HTTPException:
            continue
        if rule.rule.startswith(API_PREFIX):
            allowed.add(method)
    if "GET" in allowed:
        allowed.add("HEAD")
    if allowed:
        allowed.add("OPTIONS")
    return sorted(allowed)


def keep_api_paths_to_the_api(endpoint: str | None, values: dict | None) -> None:
    """Refuse a request under ``/api/`` that only a page route matched (URL preprocessor).

    :raise MethodNotAllowed: when an API route has the path with other methods.
    :raise NotFound: when no API route has it.
    """
    rule = request.url_rule
    if not is_api_request() or rule is None or rule.rule.startswith(API_PREFIX):
        return
    methods = api_methods()
    if methods:
        raise MethodNotAllowed(valid_methods=methods)
    raise NotFound()


def api_options_allow(response: Response) -> Response:
    """List only the API's methods in the ``Allow`` of an OPTIONS answer (after_request)."""
    if request.method == "OPTIONS" and is_api_request() and "Allow" in response.headers:
        response.headers["Allow"] = ", ".join(api_methods())
    return response
