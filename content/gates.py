"""Access gates: named checks that plugins answer (see ``tracing_access_denied``).

A plugin refuses a gate with a reason: a plain translated string, or a
:class:`GateRefusal` that also says where to go to earn the access (the training to
complete). :func:`denied_response` turns the reasons into the 403 page every gated view
shows, so a refused user learns what to do instead of meeting a bare "Forbidden".
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response, abort, current_app, make_response, render_template
from flask_login import current_user

from content.plugins import hook

F = TypeVar("F", bound=Callable[..., Any])


class GateRefusal(str):
    """A reason to keep a user out (a string: its text), with the link that leads to the access.

    Being a ``str``, it works wherever a plain reason did (``" ".join(reasons)``).

    :param text: what is missing, translated ("Complete the training … first").
    :param link_url: where to go to earn the access (a module, a certificate page), or None.
    :param link_label: the link's translated text.
    """

    link_url: str | None
    link_label: str | None

    def __new__(cls, text: Any, link_url: str | None = None, link_label: Any = None):
        """Make the reason ``text``, carrying its link."""
        refusal = super().__new__(cls, str(text))
        refusal.link_url = link_url
        refusal.link_label = None if link_label is None else str(link_label)
        return refusal

    @property
    def text(self) -> str:
        """Return the reason's text."""
        return str.__str__(self)


def access_denied(user, gate: str) -> list[str | GateRefusal]:
    """Return the reasons the plugins give for keeping ``user`` out of ``gate`` (empty: allowed).

    Each reason is a string or a :class:`GateRefusal`; ``str(reason)`` is its text.
    """
    return [
        reason for reason in hook(current_app).tracing_access_denied(user=user, gate=gate) if reason
    ]


def denied_response(reasons: list[str | GateRefusal]) -> Response:
    """Return the translated 403 page listing ``reasons``, with a link for each that has one."""
    refusals = [
        reason if isinstance(reason, GateRefusal) else GateRefusal(reason) for reason in reasons
    ]
    return make_response(render_template("gates/denied.html", refusals=refusals), 403)


def check_gate(gate: str) -> None:
    """Stop the request with the refusal page unless the signed-in user may pass ``gate``."""
    reasons = access_denied(current_user, gate)
    if reasons:
        abort(denied_response(reasons))


def require_gate(gate: str) -> Callable[[F], F]:
    """Decorate a view so that only users who may pass ``gate`` reach it.

    Works above or below ``@requires(...)`` (the permission is still checked first).
    """

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def gated(*args, **kwargs):
            check_gate(gate)
            return view(*args, **kwargs)

        return gated  # type: ignore[return-value]

    return decorate
