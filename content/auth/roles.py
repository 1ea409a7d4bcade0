"""Roles, named permissions and how views declare what they need."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, current_app

#: Anyone, signed in or not.
PUBLIC = "public"
#: Any signed-in user (everyone is at least a learner).
AUTHENTICATED = "authenticated"

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Role:
    """A role a user can hold; ``label`` and ``description`` are lazy translations."""

    name: str
    label: Any
    description: Any


@dataclass
class PermissionRegistry:
    """The roles of the site and which roles hold each permission (built from plugin hooks)."""

    roles: dict[str, Role]
    permissions: dict[str, frozenset[str]]

    @classmethod
    def from_hooks(
        cls, role_lists: Iterable[list[Role]], grants: Iterable[dict]
    ) -> PermissionRegistry:
        """Merge the plugins' roles and permission grants; grants to unknown roles are an error."""
        roles = {role.name: role for role_list in role_lists for role in role_list}
        permissions: dict[str, set[str]] = {}
        for grant in grants:
            for permission, role_names in grant.items():
                unknown = set(role_names) - roles.keys()
                if unknown:
                    raise ValueError(f"Permission {permission!r} names unknown roles {unknown}")
                permissions.setdefault(permission, set()).update(role_names)
        return cls(roles, {p: frozenset(r) for p, r in permissions.items()})

    def allows(self, role_names: Iterable[str], permission: str) -> bool:
        """Return whether any of these roles holds the permission."""
        if permission in (PUBLIC, AUTHENTICATED):
            return True
        return not self.permissions.get(permission, frozenset()).isdisjoint(role_names)


def registry(app: Flask | None = None) -> PermissionRegistry:
    """Return the app's permission registry."""
    return (app or current_app).extensions["tracing.permissions"]


def requires(permission: str) -> Callable[[F], F]:
    """Declare the permission a view needs; the app denies views that declare none.

    Enforcement happens once, before every request (see ``content.auth.access``), so a
    view cannot forget the check: one without a declaration answers 403.
    """

    def decorate(view: F) -> F:
        view.required_permission = permission  # type: ignore[attr-defined]
        return view

    return decorate


def required_permission(view: Callable[..., Any]) -> str | None:
    """Return the permission a view declared, or None."""
    return getattr(view, "required_permission", None)


def before_second_factor(view: F) -> F:
    """Let a signed-in session that still owes its second factor reach this view.

    Only the second-factor pages and logout carry it; every other view sends such a
    session to the second-factor page (``content.auth.access``).
    """
    view.before_second_factor = True  # type: ignore[attr-defined]
    return view


def allowed_before_second_factor(view: Callable[..., Any]) -> bool:
    """Return whether a half-signed-in session may reach the view."""
    return getattr(view, "before_second_factor", False)
