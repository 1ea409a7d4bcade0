"""The agents' notes on call attempts, encrypted like a ticket's personal data.

A note is free text and may name people, so it is stored as an AES-GCM token bound to
``call_attempts:<id>:note_enc`` (see docs/personal-data.md). ``reencrypt_notes`` lets
``tracing-app keys rotate`` re-encrypt them with the tickets' columns.
"""

from __future__ import annotations

from tracing_app.tickets.crypto import (
    KeyRing,
    context_for,
    decrypt,
    encrypt,
)
from tracing_app.tickets.keyring import current_key_ring

TABLE = "call_attempts"
COLUMN = "note_enc"


def key_ring() -> KeyRing:
    """Return the site's key ring (the tickets' one: instance folder or environment)."""
    return current_key_ring()


def encrypt_note(attempt_id: int, note: str) -> str:
    """Return the token of an attempt's note."""
    return encrypt(note, context=context_for(TABLE, attempt_id, COLUMN), key_ring=key_ring())


def decrypt_note(attempt_id: int, token: str | None) -> str | None:
    """Return an attempt's note in clear (None when there is none)."""
    return decrypt(token, context=context_for(TABLE, attempt_id, COLUMN), key_ring=key_ring())


def reencrypt_notes(ring: KeyRing, *, batch_size: int = 500) -> int:
    """Re-encrypt under the current key every note under an older key; return how many.

    Called by ``tracing-app keys rotate`` (tickets/rotation.py), with the tickets' batch
    rules: each batch one locked transaction; a note that fails to decrypt stops the run
    with what is done kept; a second run skips what is done.
    """
    from tracing_app.calls.models import CallAttempt
    from tracing_app.tickets.rotation import rotate_token_table

    return rotate_token_table(
        CallAttempt.__table__, {COLUMN: COLUMN}, TABLE, ring, batch_size=batch_size
    )
