"""Where a request that is not (fully) signed in is sent: the login or the second factor.

Their own module: the access check (:mod:`.access`) and the views that check a session
themselves (kept pages, lessons on a reader pass) all send visitors there.
"""

from __future__ import annotations

from flask import flash, g, redirect, request, url_for

from content.i18n import _
from content.security import safe_next_url


def redirect_to_login():
    """Send an anonymous visitor to the login page, remembering where they were going.

    A session that owes its second factor goes to the second-factor page instead.
    """
    if g.get("second_factor_owed"):
        return redirect_to_second_factor()
    if g.get("session_expired"):
        flash(
            _("Your session ended after a period without activity. Please sign in again."), "info"
        )
    else:
        flash(_("Please sign in to see this page."), "info")
    target = safe_next_url(request.full_path.rstrip("?")) if request.method == "GET" else None
    return redirect(url_for("auth.login", next=target))


def redirect_to_second_factor():
    """Send a half-signed-in session to the second-factor page, remembering the target."""
    target = safe_next_url(request.full_path.rstrip("?")) if request.method == "GET" else None
    return redirect(url_for("second_factor.challenge", next=target))
