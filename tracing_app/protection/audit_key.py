"""The audit log's key: it keys the hash chain and signs the checkpoints kept outside the database.

Kept with the data keys, never in the database or ``app.config``: ``TRACING_AUDIT_KEY``
(base64, 32 bytes) when set, else ``<instance>/audit.key`` (written by ``tracing-app
init``, mode 0600; copy it to every app host with ``keys.json``). Two keys are derived
from it with HKDF-SHA256 and distinct labels: one for the entries' HMAC chain, one for
the checkpoints' MACs. See docs/audit-log.md.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app

from tracing_app.protection.keyfile import write_secret_file
from tracing_app.protection.keys import KEY_BYTES, KeyRingError, decode_key, derive_key, encode_key

FILE_NAME = "audit.key"
ENV_VAR = "TRACING_AUDIT_KEY"
EXTENSION = "tracing.audit_key"

# Changing a label changes every derived key: the chain would no longer verify.
_CHAIN_INFO = b"tracing-app/v1/audit-chain"
_CHECKPOINT_INFO = b"tracing-app/v1/audit-checkpoint"


@dataclass(frozen=True)
class AuditKey:
    """The derived keys of the audit master key, and a short id that names it (not secret)."""

    chain: bytes = field(repr=False)
    checkpoint: bytes = field(repr=False)
    key_id: str

    @classmethod
    def from_master(cls, master: bytes) -> AuditKey:
        """Derive the chain and checkpoint keys from a 32-byte master key."""
        key_id = hmac.new(master, b"tracing-app/v1/audit-key-id", hashlib.sha256).hexdigest()[:8]
        return cls(derive_key(master, _CHAIN_INFO), derive_key(master, _CHECKPOINT_INFO), key_id)

    def chain_mac(self, message: bytes) -> str:
        """Return the hex HMAC-SHA256 of an entry's canonical serialization."""
        return hmac.new(self.chain, message, hashlib.sha256).hexdigest()

    def checkpoint_mac(self, message: bytes) -> str:
        """Return the hex HMAC-SHA256 of a checkpoint's canonical serialization."""
        return hmac.new(self.checkpoint, message, hashlib.sha256).hexdigest()


def key_file_path(instance_path: str | Path) -> Path:
    """Return where the audit key of an instance folder lives."""
    return Path(instance_path) / FILE_NAME


def generate_audit_key_file(path: str | Path) -> bool:
    """Create the audit key file (mode 0600) unless it exists; return whether it was made."""
    return write_secret_file(Path(path), encode_key(os.urandom(KEY_BYTES)) + "\n")


def load_audit_key(instance_path: str | Path, environ: Mapping[str, str] | None = None) -> AuditKey:
    """Load the audit key from ``TRACING_AUDIT_KEY`` when it is set, else from the file.

    :raise KeyRingError: no key anywhere, a malformed key, or a file others may read.
    """
    environ = os.environ if environ is None else environ
    if environ.get(ENV_VAR, "").strip():
        return AuditKey.from_master(decode_key(environ[ENV_VAR], ENV_VAR))
    path = key_file_path(instance_path)
    if not path.exists():
        raise KeyRingError(
            f"no audit key: run 'tracing-app init' to create {path}, or set {ENV_VAR}"
        )
    if os.name == "posix" and path.stat().st_mode & 0o077:
        raise KeyRingError(f"{path}: other users may read this key file; run: chmod 600 {path}")
    return AuditKey.from_master(decode_key(path.read_text(encoding="ascii"), "audit-key-file"))


def current_audit_key() -> AuditKey:
    """Return the audit key of the current app, loading it on first use (once per process).

    :raise KeyRingError: see :func:`load_audit_key`.
    """
    key = current_app.extensions.get(EXTENSION)
    if key is None:
        key = load_audit_key(current_app.instance_path)
        current_app.extensions[EXTENSION] = key
    return key


def forget_audit_key(app: Flask | None = None) -> None:
    """Drop the cached audit key so the next use reads it again."""
    (app or current_app).extensions.pop(EXTENSION, None)
