"""Request handling for the site's frame."""

from __future__ import annotations

import logging

from flask import current_app, g, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from content.auth.roles import AUTHENTICATED, PUBLIC, registry, requires
from content.extensions import db
from content.i18n import preferred_language
from content.plugins import hook

logger = logging.getLogger(__name__)


@requires(PUBLIC)
def root():
    """Send a visitor to the site in their language (account setting, else browser)."""
    return redirect(url_for("site.home", lang_code=preferred_language()))


@requires(PUBLIC)
def home():
    """Show the language's root folder (the site's home page in that language)."""
    from content.items.operations import language_root
    from content.items.page_cache import cached_response
    from content.items.views import render_item_at

    if language_root(g.lang_code) is None:  # a site whose content was never initialised
        return render_template("core/home.html")
    return cached_response(lambda: render_item_at(g.lang_code))


@requires(AUTHENTICATED)
def dashboard():
    """Show what the user's roles let them do."""
    panels = [
        p
        for panel_list in hook(current_app).tracing_dashboard_panels(user=current_user)
        for p in panel_list
    ]
    panels.sort(key=lambda panel: panel.order)
    roles = [
        registry().roles[name]
        for name in sorted(current_user.role_names)
        if name in registry().roles
    ]
    return render_template("core/dashboard.html", panels=panels, roles=roles)


@requires(PUBLIC)
def healthz():
    """Answer 200 when the database answers, 503 otherwise (for load balancers)."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        logger.exception("Health check: database unreachable")
        db.session.rollback()
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}, 200
