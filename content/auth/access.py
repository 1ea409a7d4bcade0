"""The one place where access to views is enforced, before every request."""

from __future__ import annotations

import logging

from flask import Flask, abort, current_app, request
from flask_login import current_user

from content.auth.reader_passes import allowed_on_reader_pass
from content.auth.redirects import redirect_to_login
from content.auth.roles import AUTHENTICATED, PUBLIC, required_permission
from content.auth.sessions import signed_in_reader
from content.gates import check_gate, gate_of

logger = logging.getLogger(__name__)


def _is_static(endpoint: str) -> bool:
    return endpoint == "static" or endpoint.endswith(".static")


def check_access() -> None:
    """Deny the request unless the user holds the permission the view declared.

    Views that declare nothing are refused: forgetting the declaration closes a page,
    it never opens one. A GET of a view marked ``on_reader_pass`` is opened by a fresh
    reader pass of the session (``content.auth.reader_passes``), others check the session
    in full. A session that still owes its second factor is anonymous except
    on the second-factor pages and logout (``sessions.load_session_user``). Then the gate
    the view's blueprint declared (``gate_blueprint``) is asked, so a gated blueprint
    cannot have an ungated view by omission.
    """
    endpoint = request.endpoint
    if endpoint is None or _is_static(endpoint):
        return
    view = current_app.view_functions[endpoint]
    permission = required_permission(view)
    if permission is None:
        logger.error("View %s declares no permission; refusing", endpoint)
        abort(403)
    if permission == AUTHENTICATED and request.method == "GET" and allowed_on_reader_pass(view):
        # A fresh pass of this session opens it without reading the session row.
        if signed_in_reader() is None:
            return redirect_to_login()
    elif permission != PUBLIC:
        if not current_user.is_authenticated:
            return redirect_to_login()
        if permission != AUTHENTICATED and not current_user.can(permission):
            abort(403)
    # Public views of a gated blueprint pass the gate too, unless declared exempt.
    gate = gate_of(current_app, endpoint)
    if gate is not None:
        check_gate(gate)


def init_access(app: Flask) -> None:
    """Install the access check and Flask-Login's handler for anonymous users."""
    from content.extensions import login_manager

    app.before_request(check_access)
    login_manager.unauthorized_handler(redirect_to_login)
