"""Keys of the second factor, derived from the app's SECRET_KEY with HKDF.

The core has no key ring (that is the workspace's ``protection`` package), and a TOTP
secret is useless without the password it backs, so the secrets are sealed with AES-GCM
under a key derived from SECRET_KEY (HKDF-SHA256, its own ``info``), bound to the user.
Changing SECRET_KEY therefore voids every TOTP enrolment and recovery code: users enrol
again (docs/second-factor.md). WebAuthn keys hold no secret on the server.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

_NONCE_BYTES = 12
_VERSION = b"\x01"


def _derive(purpose: bytes) -> bytes:
    secret = current_app.config["SECRET_KEY"]
    if not secret:
        raise RuntimeError("SECRET_KEY is not set")
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"tracing second factor " + purpose
    ).derive(secret.encode() if isinstance(secret, str) else secret)


def seal(plaintext: bytes, *, user_id: int) -> bytes:
    """Encrypt a secret for one user (the user id is authenticated, not encrypted)."""
    nonce = os.urandom(_NONCE_BYTES)
    box = AESGCM(_derive(b"sealing v1"))
    return _VERSION + nonce + box.encrypt(nonce, plaintext, str(user_id).encode())


def unseal(sealed: bytes, *, user_id: int) -> bytes:
    """Decrypt a sealed secret; raise ``cryptography.exceptions.InvalidTag`` when forged."""
    nonce = sealed[1 : 1 + _NONCE_BYTES]
    box = AESGCM(_derive(b"sealing v1"))
    return box.decrypt(nonce, sealed[1 + _NONCE_BYTES :], str(user_id).encode())


def code_hash(user_id: int, code: str) -> str:
    """Return the keyed hash a recovery code is stored as."""
    message = f"{user_id}:{code}".encode()
    return hmac.new(_derive(b"recovery codes v1"), message, hashlib.sha256).hexdigest()
