"""API clients and their tokens: create, list, revoke, authenticate.

A token is 32 random bytes (URL-safe text with a ``tpi_`` prefix), shown once. Only its
SHA-256 is stored: a token has far more entropy than a password, so a fast hash is
enough and lets every request find its client with one indexed lookup.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select

from content.auth.models import utcnow
from content.extensions import db
from content.i18n import _l
from tracing_app.audit.operations import record
from tracing_app.exchange.models import ApiClient

TOKEN_PREFIX = "tpi_"  # noqa: S105 - a marker, not a secret
ORDERS_WRITE = "orders:write"
DATA_READ = "data:read"
CALL_EVENTS = "calls:events"
#: scope -> what it allows (shown to administrators)
SCOPES = {
    ORDERS_WRITE: _l("Send call orders (lists of people to call)."),
    DATA_READ: _l("Read the collected data, the data dictionary and the scripts."),
    CALL_EVENTS: _l("Report telephony call events (ringing, answered, ended)."),
}
#: ``last_used_dt`` is written at most this often, so busy clients do not write every call.
LAST_USED_PRECISION = timedelta(minutes=1)


class TokenError(ValueError):
    """A client cannot be created or changed as asked; ``field`` names the form field."""

    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def hash_token(token: str) -> str:
    """Return the stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_client(name: str, scopes: list[str], *, actor) -> tuple[ApiClient, str]:
    """Create a client; return it with its token, which is never shown again.

    :raise TokenError: for an empty or taken name, or an unknown or missing scope.
    """
    name = name.strip()
    if not name:
        raise TokenError(_l("Give the client a name."), "name")
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise TokenError(_l("Unknown scope: %(scope)s", scope=", ".join(unknown)), "scopes")
    if not scopes:
        raise TokenError(_l("Choose at least one scope."), "scopes")
    if db.session.scalar(select(ApiClient.id).where(ApiClient.name == name)):
        raise TokenError(_l("A client with this name exists already."), "name")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    client = ApiClient(
        name=name,
        token_prefix=token[:10],
        token_hash=hash_token(token),
        scopes=" ".join(sorted(set(scopes))),
        created_by_id=actor.id if actor is not None else None,
    )
    db.session.add(client)
    db.session.flush()
    record("api_client.create", actor=actor, subject_type="api_client", subject_id=client.id,
           details={"scopes": sorted(set(scopes))})  # fmt: skip
    return client, token


def revoke_client(client: ApiClient, *, actor) -> None:
    """Stop accepting the client's token at once (kept for the record)."""
    if client.revoked_dt is not None:
        return
    client.revoked_dt = utcnow()
    client.revoked_by_id = actor.id if actor is not None else None
    record("api_client.revoke", actor=actor, subject_type="api_client", subject_id=client.id)


def list_clients() -> list[ApiClient]:
    """Every client, active ones first, newest first."""
    query = select(ApiClient).order_by(ApiClient.revoked_dt.is_not(None), ApiClient.id.desc())
    return list(db.session.scalars(query))


def find_client(name: str) -> ApiClient | None:
    """Return the client of that name."""
    return db.session.scalar(select(ApiClient).where(ApiClient.name == name))


def authenticate(token: str) -> ApiClient | None:
    """Return the active client holding ``token``; None for any other token."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    client = db.session.scalar(select(ApiClient).where(ApiClient.token_hash == hash_token(token)))
    return client if client is not None and client.active else None


def note_use(client: ApiClient) -> None:
    """Remember when the client last called (to the minute)."""
    now = utcnow()
    if client.last_used_dt is None or now - client.last_used_dt >= LAST_USED_PRECISION:
        client.last_used_dt = now
