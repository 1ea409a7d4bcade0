"""The call desktop's outcome form, rendered once per page language and campaign setting.

The outcome form (``calls/_outcome.html``, WTForms widgets, a dozen translated strings)
is the same for every call of a campaign until the agent submits it: nothing of the
person or the agent is in it but the CSRF token and the order's id in its action. Each
process keeps it per page language and callback grace period, with a random mark where
the token and the action go, filled in for every request. A form that comes back with
errors shows what the agent typed: rendered afresh, never kept.
"""

from __future__ import annotations

import secrets

from flask import g, render_template, url_for
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from content.kept import kept
from tracing_app.calls.forms import OutcomeForm
from tracing_app.calls.models import CallOrder

_MARK = secrets.token_hex(16)
ACTION_PLACEHOLDER = f"{_MARK}:action"
CSRF_PLACEHOLDER = f"{_MARK}:csrf"


def render_outcome(order: CallOrder, form: OutcomeForm) -> Markup:
    """Render the outcome form of ``order`` as the desktop shows it."""
    return Markup(render_template("calls/_outcome.html", order=order, form=form))  # noqa: S704


def untouched_outcome_html(order: CallOrder) -> Markup:
    """Return the outcome form as it is before the agent submits it, for this order."""
    grace = order.campaign.callback_grace_minutes
    blank = kept("outcome_form", 64).get_or_make((g.lang_code, grace), lambda: _blank(order))
    if not blank:  # no CSRF token (turned off), or the template changed: render it
        return render_outcome(order, OutcomeForm(formdata=None))
    # Neither placeholder holds a character escaping changes; the values are the app's own.
    action = url_for("calls.record_outcome", order_id=order.id)
    filled = blank.replace(ACTION_PLACEHOLDER, action).replace(CSRF_PLACEHOLDER, generate_csrf())
    return Markup(filled)  # noqa: S704 - the template's output, with the app's URL and token


def _blank(order: CallOrder) -> str:
    """Render the form for ``order``, then put marks where its action and token are.

    :return: ``""`` when either is not there exactly once: nothing to keep.
    """
    html = str(render_outcome(order, OutcomeForm(formdata=None)))
    action = url_for("calls.record_outcome", order_id=order.id)
    token = generate_csrf()
    if html.count(f'action="{action}"') != 1 or html.count(f'value="{token}"') != 1:
        return ""
    return html.replace(f'action="{action}"', f'action="{ACTION_PLACEHOLDER}"').replace(
        f'value="{token}"', f'value="{CSRF_PLACEHOLDER}"'
    )
