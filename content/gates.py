"""Access gates: named checks that plugins answer (see ``tracing_access_denied``).

A plugin refuses a gate with a reason: a plain translated string, or a
:class:`GateRefusal` that also says where to go to earn the access (the training to
complete). :func:`denied_response` turns the reasons into the 403 page every gated view
shows, so a refused user learns what to do instead of meeting a bare "Forbidden".
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Blueprint, Flask, Response, abort, current_app, make_response, render_template
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


@dataclass(frozen=True)
class BlueprintGate:
    """What a blueprint declared: the gate its views pass (None: none) and the views exempt.

    :param gate: the gate's name (``"workspace"``), or None for a blueprint outside gates.
    :param exempt: endpoint names (``"calls.dashboard"``) that do not pass the gate.
    """

    gate: str | None
    exempt: frozenset[str]


def gate_blueprint(bp: Blueprint, gate: str | None, *, exempt: Iterable[str] = ()) -> None:
    """Declare once that every view of ``bp`` passes ``gate``, except the ``exempt`` views.

    The access check (``content.auth.access``) enforces the declaration for every request,
    after the view's permission, so a new view of the blueprint is gated without a word.
    ``exempt`` names views by their name in the blueprint (``"verify_document"``);
    ``gate=None`` declares a blueprint that is outside every gate on purpose.
    """
    qualified = [name for name in exempt if "." in name]
    if qualified:
        raise ValueError(f"Name exempt views without the blueprint: {qualified}")
    declaration = BlueprintGate(gate, frozenset(f"{bp.name}.{name}" for name in exempt))

    def register(state) -> None:
        state.app.extensions.setdefault("tracing.gates", {})[bp.name] = declaration

    bp.record_once(register)


def blueprint_gate(app: Flask, blueprint: str | None) -> BlueprintGate | None:
    """Return what ``blueprint`` declared with :func:`gate_blueprint`, or None (nothing)."""
    return app.extensions.get("tracing.gates", {}).get(blueprint)


def gate_of(app: Flask, endpoint: str) -> str | None:
    """Return the gate the view ``endpoint`` passes (declared by its blueprint), or None."""
    declaration = blueprint_gate(app, endpoint.rpartition(".")[0] or None)
    if declaration is None or endpoint in declaration.exempt:
        return None
    return declaration.gate


def require_gate(gate: str) -> Callable[[F], F]:
    """Decorate a view so that only users who may pass ``gate`` reach it.

    Works above or below ``@requires(...)`` (the permission is still checked first). For
    a whole blueprint, declare the gate once with :func:`gate_blueprint` instead.
    """

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def gated(*args, **kwargs):
            check_gate(gate)
            return view(*args, **kwargs)

        return gated  # type: ignore[return-value]

    return decorate
