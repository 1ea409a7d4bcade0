"""Authenticated encryption of personal data, one field at a time, bound to its place.

A token is text: ``v1:<key id>:<base64url(nonce + ciphertext)>``. The ciphertext is
AES-256-GCM with a random 96-bit nonce; the associated data is the token's version and
key id and the *context* of the field, ``"<table>:<row id>:<column>"``, so a token copied
to another row or column, or altered in any character, fails to decrypt. Plaintexts are
padded to a multiple of 16 bytes, so a token shows the length of a value only roughly.

``None`` (no value, SQL NULL) stays None both ways; an empty string is encrypted like any
other value.

Key rotation: once a new key is current, :func:`needs_rotation` tells which tokens are
under an older key, and :func:`reencrypt_batch` re-encrypts a batch of them. The
``tracing-app keys rotate`` command must, per batch of rows and in one transaction: lock
the rows (``SELECT … FOR UPDATE`` on PostgreSQL, an immediate transaction on SQLite),
re-encrypt every encrypted column of the batch with one :func:`reencrypt_batch` call,
recompute the blind indexes from the decrypted values under the current key, write, and
commit. A :class:`DecryptionError` rolls back the batch and stops the command, so no row
is lost or half rotated; a second run skips what is done. An old key may be removed only
after a full pass has found nothing left under it (and the backups made under it have
expired). See docs/personal-data.md.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Iterable

from cryptography.exceptions import InvalidTag

from tracing_app.protection.keyfile import KEY_FILE_NAME, generate_key_file, load_key_ring
from tracing_app.protection.keys import KEY_ID_PATTERN, KeyRing, KeyRingError, UnknownKeyError

__all__ = [
    "KEY_FILE_NAME",
    "DecryptionError",
    "KeyRing",
    "KeyRingError",
    "context_for",
    "decrypt",
    "encrypt",
    "generate_key_file",
    "load_key_ring",
    "needs_rotation",
    "reencrypt",
    "reencrypt_batch",
]

VERSION = "v1"
NONCE_BYTES = 12
TAG_BYTES = 16
#: Plaintexts are padded to a multiple of this many bytes (ISO/IEC 7816-4 padding).
PAD_BYTES = 16


class DecryptionError(Exception):
    """A token cannot be decrypted; the message never holds plaintext or key material."""


def context_for(table: str, row_id: object, column: str) -> str:
    """Return the context that binds a field's token to its table, row and column.

    :raise ValueError: a part is empty or contains ``:``, which would make contexts ambiguous.
    """
    parts = [table, str(row_id), column]
    if any(not part or ":" in part for part in parts):
        raise ValueError("table, row id and column must be non-empty and free of ':'")
    return ":".join(parts)


def encrypt(value: str | None, *, context: str, key_ring: KeyRing) -> str | None:
    """Encrypt a value under the current key, bound to ``context``.

    :return: the token, or None for None.
    :raise TypeError: the value is not text (dates and numbers are the caller's to format).
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError("only text is encrypted; format the value as a string first")
    _check_context(context)
    key_id = key_ring.current_id
    nonce = os.urandom(NONCE_BYTES)
    sealed = key_ring.cipher(key_id).encrypt(
        nonce, _pad(value.encode("utf-8")), _associated_data(key_id, context)
    )
    return f"{VERSION}:{key_id}:{_b64encode(nonce + sealed)}"


def decrypt(token: str | None, *, context: str, key_ring: KeyRing) -> str | None:
    """Decrypt a token made for ``context``.

    :return: the value, or None for None.
    :raise DecryptionError: malformed token, unknown key, other context, or any alteration.
    """
    if token is None:
        return None
    _check_context(context)
    key_id, raw = _parse(token)
    try:
        cipher = key_ring.cipher(key_id)
    except UnknownKeyError:
        raise DecryptionError(
            f"token is under key {key_id!r}, which is not in the key ring"
        ) from None
    try:
        padded = cipher.decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], _associated_data(key_id, context)
        )
    except InvalidTag:
        raise DecryptionError(
            "token failed authentication: another row or column, another key, or altered"
        ) from None
    return _unpad(padded).decode("utf-8")


def needs_rotation(token: str | None, *, key_ring: KeyRing) -> bool:
    """Tell whether a token is under another key than the current one (False for None).

    :raise DecryptionError: the token is malformed.
    """
    if token is None:
        return False
    key_id, _raw = _parse(token)
    return key_id != key_ring.current_id


def reencrypt(token: str | None, *, context: str, key_ring: KeyRing) -> str | None:
    """Return the token under the current key; a token already under it comes back as is.

    Every token is decrypted first, so a rotation run also proves each one still opens.

    :raise DecryptionError: the token does not decrypt.
    """
    value = decrypt(token, context=context, key_ring=key_ring)
    if not needs_rotation(token, key_ring=key_ring):
        return token
    return encrypt(value, context=context, key_ring=key_ring)


def reencrypt_batch(
    items: Iterable[tuple[str, str | None]], *, key_ring: KeyRing
) -> list[str | None]:
    """Re-encrypt ``(context, token)`` pairs under the current key, all or nothing.

    :return: the new tokens, in the order of ``items``; write them in the same transaction
        that read the old ones.
    :raise DecryptionError: one token does not decrypt; the message names its position and
        context, and no token of the batch is returned.
    """
    tokens = []
    for position, (context, token) in enumerate(items):
        try:
            tokens.append(reencrypt(token, context=context, key_ring=key_ring))
        except DecryptionError as exc:
            raise DecryptionError(f"item {position} ({context}): {exc}") from None
    return tokens


def _check_context(context: str) -> None:
    if not isinstance(context, str) or not context:
        raise ValueError("a context such as 'tickets:<row id>:<column>' is required")


def _associated_data(key_id: str, context: str) -> bytes:
    # The key id has no ':' so the first two separators are unambiguous.
    return f"{VERSION}:{key_id}:{context}".encode()


def _parse(token: str) -> tuple[str, bytes]:
    """Split a token into its key id and raw bytes (nonce, ciphertext and tag)."""
    if not isinstance(token, str):
        raise DecryptionError("a token is text")
    version, _, rest = token.partition(":")
    if version != VERSION:
        raise DecryptionError("not a token, or a token version this code does not know")
    key_id, _, payload = rest.partition(":")
    if not KEY_ID_PATTERN.fullmatch(key_id):
        raise DecryptionError("malformed key id in token")
    try:
        raw = base64.b64decode(payload + "=" * (-len(payload) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise DecryptionError("malformed token payload") from None
    # Only the canonical encoding is accepted, so every altered character is refused.
    if len(raw) < NONCE_BYTES + TAG_BYTES + PAD_BYTES or _b64encode(raw) != payload:
        raise DecryptionError("malformed token payload")
    return key_id, raw


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _pad(data: bytes) -> bytes:
    return data + b"\x80" + b"\x00" * (-(len(data) + 1) % PAD_BYTES)


def _unpad(padded: bytes) -> bytes:
    data = padded.rstrip(b"\x00")
    if not data.endswith(b"\x80"):  # cannot happen after authentication; checked anyway
        raise DecryptionError("malformed padding")
    return data[:-1]
