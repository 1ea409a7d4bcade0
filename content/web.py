"""The web frame around every view: languages in URLs, headers, errors, template context."""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, render_template, request, url_for
from flask_babel import format_datetime, format_decimal
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from content.extensions import db, login_manager
from content.i18n import (
    LANG_ARG,
    _,
    _l,
    add_lang_code,
    format_percent,
    language_name,
    language_names,
    pull_lang_code,
    select_locale,
    site_languages,
)
from content.plugins import hook
from content.security import add_security_headers
from content.web_api import (
    api_options_allow,
    http_problem,
    is_api_request,
    keep_api_paths_to_the_api,
    kept_headers,
    problem,
)

__all__ = ["http_problem", "init_web", "problem"]

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
    503: (
        _l("Temporarily unavailable"),
        _l(
            "The site cannot reach its database at the moment. Please try again in a few "
            "seconds. If you were saving something, check afterwards that it was saved."
        ),
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
    # First: under /api/ a page route (the CMS catch-all) must not answer, not even 404 for
    # "api" as a language.
    app.url_value_preprocessor(keep_api_paths_to_the_api)
    app.url_value_preprocessor(pull_lang_code)
    app.url_defaults(add_lang_code)
    app.after_request(add_security_headers)
    app.after_request(api_options_allow)
    app.context_processor(template_context)
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_decimal, "number")
    app.add_template_filter(format_percent, "percent")
    app.register_error_handler(HTTPException, render_http_error)
    app.register_error_handler(CSRFError, render_csrf_error)
    app.register_error_handler(OperationalError, render_database_unavailable)
    app.register_error_handler(InterfaceError, render_database_unavailable)
    if not app.config.get("SECRET_KEY"):
        app.before_request(refuse_uninitialised)


def refuse_uninitialised():
    """Answer 503 while the site has no secret key (``tracing-app init`` not yet run)."""
    if request.endpoint == "core.healthz":
        return None
    return "Site not initialised: run `tracing-app init`.", 503, {"Content-Type": "text/plain"}


def switcher_links() -> list[dict]:
    """Return, per language, the URL of this same page in that language."""
    hrefs = language_hrefs()
    return [
        {"code": code, "name": name, "href": hrefs[code]} for code, name in language_names().items()
    ]


def language_hrefs() -> dict[str, str]:
    """Return, per language code, the URL of this same page in that language."""
    endpoint = request.endpoint
    localized = endpoint and current_app.url_map.is_endpoint_expecting(endpoint, LANG_ARG)
    # A content page knows its translations (or the page saying one is missing).
    alternatives = g.get("language_alternatives") or {}
    hrefs = {}
    for code in site_languages():
        if code in alternatives:
            hrefs[code] = alternatives[code]
        elif localized and request.url_rule and "GET" in request.url_rule.methods:
            hrefs[code] = url_for(
                endpoint, **{**request.args.to_dict(), **(request.view_args or {}), LANG_ARG: code}
            )
        else:
            hrefs[code] = url_for("site.home", lang_code=code)
    return hrefs


def navigation() -> list:
    """Return the main-menu entries of the signed-in user (made once per set of roles)."""
    if not current_user.is_authenticated:
        return []
    roles = frozenset(current_user.role_names)
    menus = current_app.extensions.setdefault("tracing.menus", {})
    menu = menus.get(roles)
    if menu is None:
        found = hook(current_app).tracing_navigation_items(user=current_user)
        menu = menus[roles] = sorted(
            (item for items in found for item in items), key=lambda item: item.order
        )
    return menu


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

    Under ``/api/`` machine clients get an RFC 9457 problem document instead. Either way
    the error's own headers that the answer needs (``Allow`` of a 405) are kept.
    """
    if is_api_request():
        return http_problem(error)
    if error.code not in ERROR_TEXTS:
        return error
    if error.code == 500:
        logger.error("Server error on %s", request.endpoint)
    title, explanation = ERROR_TEXTS[error.code]
    page = render_template("error.html", title=title, explanation=explanation)
    return page, error.code, kept_headers(error)


def database_unavailable(error: SQLAlchemyError) -> bool:
    """Return whether a database error means "cannot reach the database" (vs. a bug).

    A lost or refused connection (PostgreSQL stopped, restarted, failing over) and a
    SQLite database locked past the busy timeout are temporary; anything else (a missing
    table, bad SQL) is a server error.
    """
    if getattr(error, "connection_invalidated", False):
        return True
    orig = getattr(error, "orig", None)
    if type(orig).__module__.startswith("psycopg"):
        import psycopg

        return isinstance(orig, psycopg.OperationalError | psycopg.InterfaceError)
    text = str(orig).lower()
    return "database is locked" in text or "database is busy" in text


def render_database_unavailable(error: SQLAlchemyError):
    """Answer 503 with ``Retry-After`` while the database cannot be reached.

    Pages get a translated page that needs no database (the visitor is shown as signed
    out); the API gets a problem document. The next request gets a fresh connection:
    the pool checks connections before use (``pool_pre_ping``), so the site recovers by
    itself when the database is back.
    """
    if not database_unavailable(error):
        raise error
    # The exception text can hold SQL parameters (personal data): log its type only.
    logger.error(
        "Database unavailable on %s: %s", request.endpoint, type(error.orig or error).__name__
    )
    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session.close()
    retry_after = str(int(current_app.config["DATABASE_RETRY_AFTER_SECONDS"]))
    if is_api_request():
        response = problem(
            503, "Service Unavailable", _("The database cannot be reached. Retry later.")
        )
    else:
        # Rendering the page must not ask the database who is signed in.
        g._login_user = login_manager.anonymous_user()
        title, explanation = ERROR_TEXTS[503]
        # A page of its own: the frame (base.html) would query the database again.
        response = current_app.make_response(
            (render_template("unavailable.html", title=title, explanation=explanation), 503)
        )
    response.headers["Retry-After"] = retry_after
    return response


def render_csrf_error(error: CSRFError):
    """Explain a rejected form (expired or missing security token) in the user's language."""
    title, explanation = ERROR_TEXTS["csrf"]
    return render_template("error.html", title=title, explanation=explanation), 400
