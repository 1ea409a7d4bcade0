"""The call desktop's own markup, rendered once per language and shape, kept per process.

The desktop around the outcome form and the script panel (``calls/_desktop.html`` and
``calls/_context.html``: two dozen translated strings, a few ``url_for``) is the same for
every call of an agent's language but for the call's values: the campaign, the ticket,
the person's first name and number, the attempts, the links with the order's id, the CSRF
token. Each process keeps it per page language and :class:`Shape` (which parts show: the
key) with a random mark per value (``content.holes``), filled in, escaped, per request.
The templates read the call only through ``v`` (the holes) and ``k`` (the shape);
nothing of a call, a person or an agent is kept.
"""

from __future__ import annotations

from typing import NamedTuple

from flask import g, render_template, request, url_for
from flask_babel import format_datetime, get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from content import holes
from content.i18n import language_name
from content.kept import kept
from tracing_app.calls.forms import OUTCOME_LABELS
from tracing_app.calls.models import CallOrder

TEMPLATE = "calls/_desktop.html"
NAME = "call_desktop"
SIZE = 256
_MARKS = holes.Marks()


class Row(NamedTuple):
    """What shows of an earlier attempt besides its values: a callback, and for whom."""

    callback: bool
    anyone: bool


class Shape(NamedTuple):
    """Which parts of the desktop show: the kept markup's key with the languages."""

    with_script: bool
    open_script: bool
    ticket: bool
    escalate: bool
    documents: bool
    named_by_case: bool
    callback: bool
    summary: bool
    ticket_link: bool
    phone: bool
    dial_external: bool
    attempts: tuple[Row, ...]
    #: What ``calls/_nav.html`` asks of ``current_user`` (it is shared with other pages).
    nav: tuple[bool, bool]


def desktop(
    order: CallOrder,
    *,
    summary,
    phone: str | None,
    dial_url: str | None,
    dial_external: bool,
    attempts: list,
    outcome_html: Markup,
    script: dict,
    has_script: bool,
    links: dict[str, str | None],
) -> Markup:
    """Return the desktop's markup for this call (what ``call.html`` puts in the page).

    :param summary: the ticket's summary (``summaries.ticket_summary``), if any.
    :param attempts: the order's earlier attempts with their notes, ``(attempt, note)``.
    :param script: the script panel's context (``page_context.form_context``), or ``{}``.
    :param links: ``ticket``, ``escalate`` and ``documents``: the ticket's pages, if any.
    """
    can = current_user.can
    with_script = bool(script.get("response"))
    ticket = order.ticket is not None
    escalate = ticket and bool(links.get("escalate")) and can("calls.work")
    documents = ticket and bool(links.get("documents")) and can("documents.issue")
    shape = Shape(
        with_script=with_script,
        open_script=has_script and not with_script,
        ticket=ticket,
        escalate=escalate,
        documents=documents,
        named_by_case=bool(order.source_ticket_id),
        callback=order.last_outcome == "callback",
        summary=bool(summary),
        ticket_link=bool(summary) and bool(links.get("ticket")),
        phone=bool(phone),
        dial_external=bool(dial_external),
        attempts=tuple(
            Row(bool(attempt.callback_dt), bool(attempt.callback_anyone))
            for attempt, _note in attempts
        ),
        nav=(can("calls.supervise"), can("calls.work")),
    )
    values = {
        "campaign": order.campaign.name,
        "csrf": generate_csrf(),
        "release_url": url_for("calls.release_call", order_id=order.id),
        "outcome_html": outcome_html,
        "attempts_made": order.attempts,
        "max_attempts": order.campaign.max_attempts,
        "held_until": format_datetime(order.lease_until_dt, "short"),
        "attempts": [
            {
                "when": format_datetime(attempt.ended_dt, "short"),
                "outcome": OUTCOME_LABELS[attempt.outcome],
                "callback": format_datetime(attempt.callback_dt, "short")
                if attempt.callback_dt
                else "",
                "note": note or "",
            }
            for attempt, note in attempts
        ],
    }
    if shape.open_script:
        values["open_script_url"] = url_for("calls.open_script", order_id=order.id)
    if escalate:
        values["escalate_url"] = links["escalate"]
    if documents:
        values["documents_url"] = links["documents"]
    if with_script:
        title = script["text"](script["definition"].settings.title)
        values["script_title"] = title or script["version"].script.form_id
        values["panel_html"] = script["panel_html"]
    if summary:
        values["ticket_url"] = links.get("ticket") or ""
        values["reference"] = summary["reference"]
        values["first_name"] = summary["first_name"] or "—"
        values["language"] = language_name(summary["language"])
    if phone:
        values["dial_url"] = dial_url
        values["phone"] = phone
    return desktop_html(shape, values)


def render_desktop(shape: Shape, values: dict) -> Markup:
    """Render the desktop directly with ``values`` in its holes (the reference)."""
    return Markup(render_template(TEMPLATE, k=shape, v=values))  # noqa: S704


def desktop_html(shape: Shape, values: dict) -> Markup:
    """Return the kept markup of this language and ``shape``, filled with ``values``."""
    key = (g.lang_code, str(get_locale()), request.script_root, shape)
    pieces = kept(NAME, SIZE).get_or_make(key, lambda: _pieces(shape, values))
    return holes.fill(pieces, holes.flat(values))


def _pieces(shape: Shape, values: dict) -> list[str]:
    """Render the desktop with a mark in each hole; return text and hole names alternating."""
    return _MARKS.split(render_desktop(shape, _MARKS.like(values)))
