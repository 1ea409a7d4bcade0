"""Pseudonyms for exports: a keyed hash of a normalized value, stable per person.

The key is the exchange's own, apart from the data key ring: rotating the data keys must
not change the pseudonyms the institute already holds. It comes from
``TRACING_PSEUDONYM_KEY`` or ``<instance>/pseudonym.key`` (made on first use, mode 0600;
copy it to every app host together with ``keys.json``), never from the database or
``app.config``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from flask import current_app

from tracing_app.protection import blind_index

FILE_NAME = "pseudonym.key"
ENVIRONMENT_VARIABLE = "TRACING_PSEUDONYM_KEY"
EXTENSION = "tracing.pseudonym_key"


def ensure_key_file(instance_path: str) -> bool:
    """Create ``<instance>/pseudonym.key`` unless it exists; return whether it was created."""
    path = Path(instance_path) / FILE_NAME
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode() + "\n")
    try:
        os.link(temporary, path)  # never overwrite a key another process just made
    except FileExistsError:
        return False
    finally:
        temporary.unlink(missing_ok=True)
    return True


def _decode(text: str) -> bytes:
    key = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if len(key) < 32:
        raise ValueError("the pseudonym key must be at least 32 bytes (base64)")
    return key


def pseudonym_key() -> bytes:
    """Return the site's pseudonym key, loading (or making) it on first use."""
    key = current_app.extensions.get(EXTENSION)
    if key is None:
        text = os.environ.get(ENVIRONMENT_VARIABLE)
        if not text:
            ensure_key_file(current_app.instance_path)
            text = (Path(current_app.instance_path) / FILE_NAME).read_text().strip()
        key = _decode(text)
        current_app.extensions[EXTENSION] = key
    return key


#: Kinds whose values are normalized like blind indexes before hashing, so that the
#: same person written differently ("85.07.30-033.04", "85073003304") gets one pseudonym.
NORMALIZED_KINDS = {"national_number", "phone", "email"}


def pseudonym(kind: str, value: str, key: bytes | None = None) -> str | None:
    """Return the pseudonym of a value (None for an empty one).

    :param key: the pseudonym key, when the caller holds it already (exports, per page).
    """
    if value is None or not str(value).strip():
        return None
    text = str(value)
    if kind in NORMALIZED_KINDS:
        try:
            text = blind_index.normalize(kind, text)
        except blind_index.NormalizationError:
            text = text.strip().lower()
    else:
        text = " ".join(text.split()).lower()
    digest = hmac.new(key or pseudonym_key(), f"{kind}\x00{text}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]
