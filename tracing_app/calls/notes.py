"""The agents' notes on call attempts, encrypted like a ticket's personal data.

A note is free text and may name people, so it is stored as an AES-GCM token bound to
``call_attempts:<id>:note_enc`` (see docs/personal-data.md). The table is declared to the
protection package, so ``tracing-app keys rotate`` re-encrypts the notes too.
"""

from __future__ import annotations

from tracing_app.calls.models import CallAttempt
from tracing_app.protection.crypto import context_for, decrypt, encrypt
from tracing_app.protection.keyring import current_key_ring
from tracing_app.protection.registry import EncryptedTable, register_encrypted_table

TABLE = "call_attempts"
COLUMN = "note_enc"

register_encrypted_table(EncryptedTable(CallAttempt.__table__, {COLUMN: COLUMN}))


def encrypt_note(attempt_id: int, note: str) -> str:
    """Return the token of an attempt's note."""
    return encrypt(
        note, context=context_for(TABLE, attempt_id, COLUMN), key_ring=current_key_ring()
    )


def decrypt_note(attempt_id: int, token: str | None) -> str | None:
    """Return an attempt's note in clear (None when there is none)."""
    return decrypt(
        token, context=context_for(TABLE, attempt_id, COLUMN), key_ring=current_key_ring()
    )
