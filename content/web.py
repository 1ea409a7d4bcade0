"""The web frame around every view: languages in URLs, headers, errors, template context."""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, jsonify, render_template, request, url_for
from flask_babel import format_datetime, format_decimal
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from content.i18n import (
    LANG_ARG,
    _l,
    add_lang_code,
    format_percent,
    language_name,
    language_names,
    pull_lang_code,
    select_locale,
)
from content.plugins import hook
from content.security import add_security_headers

logger = logging.getLogger(__name__)

#: Title and explanation of each error page, by status code ("csrf": a rejected form).
ERROR_TEXTS = {
    400: (
        _l("Bad request"),
        _l("The page could not understand what was sent. Go back and try again."),
    ),
    403: (
        _l("Access denied"),
        _l("Your account does not have access to this page. Ask an administrator if you need it."),
    ),
    404: (
        _l("Page not found"),
        _l("This page does not exist, or it has moved."),
    ),
    405: (
        _l("Not allowed"),
        _l("This page cannot be used this way."),
    ),
    413: (
        _l("File too large"),
        _l("What you sent is larger than this site accepts. Go back and choose a smaller file."),
    ),
    429: (
        _l("Too many requests"),
        _l("Please wait a moment and try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("The error was recorded. Please try again in a moment."),
    ),
    "csrf": (
        _l("The form has expired"),
        _l(
            "For your safety, forms expire after a while or when you sign out. "
            "Go back, reload the page and submit again."
        ),
    ),
}


def init_web(app: Flask) -> None:
    """Install URL processors, headers, error pages and the template context."""
    app.url_value_preprocessor(pull_lang_code)
    app.url_defaults(add_lang_code)
    app.after_request(add_security_headers)
    app.context_processor(template_context)
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_decimal, "number")
    app.add_template_filter(format_percent, "percent")
    app.register_error_handler(HTTPException, render_http_error)
    app.register_error_handler(CSRFError, render_csrf_error)
    if not app.config.get("SECRET_KEY"):
        app.before_request(refuse_uninitialised)


def refuse_uninitialised():
    """Answer 503 while the site has no secret key (``tracing-app init`` not yet run)."""
    if request.endpoint == "core.healthz":
        return None
    return "Site not initialised: run `tracing-app init`.", 503, {"Content-Type": "text/plain"}


def switcher_links() -> list[dict]:
    """Return, per language, the URL of this same page in that language."""
    endpoint = request.endpoint
    localized = endpoint and current_app.url_map.is_endpoint_expecting(endpoint, LANG_ARG)
    # A content page knows its translations (or the page saying one is missing).
    alternatives = g.get("language_alternatives") or {}
    links = []
    for code, name in language_names().items():
        if code in alternatives:
            href = alternatives[code]
        elif localized and request.url_rule and "GET" in request.url_rule.methods:
            href = url_for(
                endpoint, **{**request.args.to_dict(), **(request.view_args or {}), LANG_ARG: code}
            )
        else:
            href = url_for("site.home", lang_code=code)
        links.append({"code": code, "name": name, "href": href})
    return links


def navigation() -> list:
    """Return the main-menu entries of the signed-in user."""
    if not current_user.is_authenticated:
        return []
    items = [
        item
        for found in hook(current_app).tracing_navigation_items(user=current_user)
        for item in found
    ]
    return sorted(items, key=lambda item: item.order)


def template_context() -> dict:
    """Variables every template can use."""
    return {
        "current_lang": select_locale(),
        "language_links": switcher_links,
        "language_name": language_name,
        "navigation": navigation,
        "site_name": current_app.config["SITE_NAME"],
    }


def render_http_error(error: HTTPException):
    """Render a translated error page for the common codes, in the page's language.

    Under ``/api/`` machine clients get an RFC 9457 problem document instead.
    """
    if request.path.startswith("/api/"):
        return problem(error.code or 500, error.name, error.description or "")
    if error.code not in ERROR_TEXTS:
        return error
    if error.code == 500:
        logger.error("Server error on %s", request.endpoint)
    title, explanation = ERROR_TEXTS[error.code]
    return render_template("error.html", title=title, explanation=explanation), error.code


def problem(status: int, title: str, detail: str = "", **extra):
    """Return an RFC 9457 problem document, for machine clients under ``/api/``."""
    body = {"type": "about:blank", "title": title, "status": status, **extra}
    if detail:
        body["detail"] = detail
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def render_csrf_error(error: CSRFError):
    """Explain a rejected form (expired or missing security token) in the user's language."""
    title, explanation = ERROR_TEXTS["csrf"]
    return render_template("error.html", title=title, explanation=explanation), 400
