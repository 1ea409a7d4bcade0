"""Demo accounts for ``tracing-app init --demo``: one per role, known password."""

from __future__ import annotations

from content.auth.roles import registry
from content.users import operations

#: Printed by ``init --demo`` and in the README; only ever used for demo sites.
DEMO_PASSWORD = "demo-password-2020"  # noqa: S105 - demo sites only, printed on purpose


def ensure_demo_user(email: str, name: str, roles: list[str], locale: str) -> str:
    """Create a demo account unless it exists; return its login line for the console."""
    try:
        operations.get_user(email)
    except operations.AccountError:
        operations.create_user(
            email,
            DEMO_PASSWORD,
            display_name=name,
            roles=[role for role in roles if role in registry().roles],
            locale=locale,
        )
    return f"{email:<32} {DEMO_PASSWORD:<20} {','.join(roles):<20} {locale}"
