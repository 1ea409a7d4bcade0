"""The key ring: master keys with short ids, one of them current, and the keys derived from them.

Each master key is 32 random bytes. Two keys with separate purposes are derived from it
with HKDF-SHA256 and distinct labels: one for AES-256-GCM encryption, one for blind-index
HMACs. Only the master keys are stored (one secret per entry to keep and back up), and a
leak of one derived key does not give away the other.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

#: Environment variable holding the key ring (JSON, or ``id:base64,id:base64``).
KEYS_ENV_VAR = "TRACING_DATA_KEYS"
#: Bytes of a master key (256 bits).
KEY_BYTES = 32
#: Key ids: short, and free of the ``:`` and ``,`` that separate token and list parts.
KEY_ID_PATTERN = re.compile(r"[0-9A-Za-z_-]{1,32}")
#: The key id of tokens under a row's own data key (:mod:`.data_keys`); no ring key has it.
ROW_KEY_ID = "_row"

# Changing a label changes every derived key: it would orphan all data.
_ENCRYPTION_INFO = b"tracing-app/v1/field-encryption"
_BLIND_INDEX_INFO = b"tracing-app/v1/blind-index"


class KeyRingError(Exception):
    """The key ring is missing or malformed; the message never holds key material."""


class UnknownKeyError(KeyError):
    """No key with this id in the ring."""


def _label(key_id: object) -> str:
    """Quote a key id for a message, unless it is malformed (it could be a misplaced key)."""
    if isinstance(key_id, str) and KEY_ID_PATTERN.fullmatch(key_id):
        return repr(key_id)
    return "(malformed id)"


def derive_key(master: bytes, info: bytes) -> bytes:
    """Derive a 32-byte key for one purpose (``info``) from a master key (HKDF-SHA256)."""
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info).derive(master)


class KeyRing:
    """An ordered set of master keys, oldest first, of which one is current.

    New data is encrypted and indexed under the current key; every key in the ring
    still decrypts and finds what was written under it.

    :param keys: ``(key_id, master_key)`` pairs, oldest first.
    :param current: the id of the current key; the last (newest) one when omitted.
    :param source: where the keys came from, for messages (a path or a variable name).
    :raise KeyRingError: no keys, a malformed id or key, a repeated id, an unknown current.
    """

    def __init__(
        self, keys: Iterable[tuple[str, bytes]], *, current: str | None = None, source: str = ""
    ) -> None:
        self.source = source
        self._ciphers: dict[str, AESGCM] = {}
        self._index_keys: dict[str, bytes] = {}
        for key_id, master in keys:
            if not isinstance(key_id, str) or not KEY_ID_PATTERN.fullmatch(key_id):
                raise KeyRingError("malformed key id")
            if key_id == ROW_KEY_ID:
                raise KeyRingError(f"key id {key_id!r} is reserved for per-row data keys")
            if key_id in self._ciphers:
                raise KeyRingError(f"key id {key_id!r} appears twice")
            if not isinstance(master, bytes) or len(master) != KEY_BYTES:
                raise KeyRingError(f"key {key_id!r} is not {KEY_BYTES} bytes")
            self._ciphers[key_id] = AESGCM(derive_key(master, _ENCRYPTION_INFO))
            self._index_keys[key_id] = derive_key(master, _BLIND_INDEX_INFO)
        if not self._ciphers:
            raise KeyRingError("no keys")
        if current is None:
            current = next(reversed(self._ciphers))
        if not isinstance(current, str) or current not in self._ciphers:
            raise KeyRingError(f"the current key {_label(current)} is not in the ring")
        self.current_id = current

    @property
    def key_ids(self) -> tuple[str, ...]:
        """The key ids, oldest first."""
        return tuple(self._ciphers)

    def __contains__(self, key_id: object) -> bool:
        return key_id in self._ciphers

    def __len__(self) -> int:
        return len(self._ciphers)

    def __repr__(self) -> str:
        # Ids only: a repr ends up in logs and tracebacks.
        return (
            f"<KeyRing {list(self.key_ids)!r} current={self.current_id!r} source={self.source!r}>"
        )

    def cipher(self, key_id: str) -> AESGCM:
        """Return the AES-256-GCM cipher of a key.

        :raise UnknownKeyError: no such key in the ring.
        """
        try:
            return self._ciphers[key_id]
        except KeyError:
            raise UnknownKeyError(key_id) from None

    def blind_index_key(self, key_id: str) -> bytes:
        """Return the HMAC key for blind indexes derived from a key.

        :raise UnknownKeyError: no such key in the ring.
        """
        try:
            return self._index_keys[key_id]
        except KeyError:
            raise UnknownKeyError(key_id) from None


def decode_key(text: str, key_id: object = None) -> bytes:
    """Decode a base64 master key (standard or URL-safe alphabet, padding optional).

    :raise KeyRingError: not base64, or not 32 bytes.
    """
    if not isinstance(text, str):
        raise KeyRingError(f"key {_label(key_id)} is not a base64 string")
    text = text.strip().replace("-", "+").replace("_", "/")
    try:
        key = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise KeyRingError(f"key {_label(key_id)} is not valid base64") from None
    if len(key) != KEY_BYTES:
        raise KeyRingError(f"key {_label(key_id)} is not {KEY_BYTES} bytes")
    return key


def encode_key(key: bytes) -> str:
    """Encode a master key as standard base64, as ``openssl rand -base64 32`` writes one."""
    return base64.b64encode(key).decode("ascii")


def parse_key_ring(value: str | Mapping[str, Any] | Sequence[Any], *, source: str = "") -> KeyRing:
    """Build a key ring from the key file's JSON object or the environment variable's value.

    Accepted forms: the key file's object ``{"current": id, "keys": [{"id", "key"}, ...]}``
    (``current`` optional), a JSON list of ``{"id", "key"}`` entries, either of these as
    JSON text, or the compact text ``id:base64,id:base64`` whose last key is current.

    :raise KeyRingError: the value has none of these forms or holds malformed keys.
    """
    try:
        if isinstance(value, str):
            text = value.strip()
            if text[:1] in ("{", "["):
                try:
                    value = json.loads(text)
                except ValueError:
                    raise KeyRingError("not valid JSON") from None
            else:
                return KeyRing(_compact_entries(text), source=source)
        if isinstance(value, Mapping):
            if value.get("format", 1) != 1:
                raise KeyRingError("unsupported key file format")
            return KeyRing(_entries(value.get("keys")), current=value.get("current"), source=source)
        return KeyRing(_entries(value), source=source)
    except KeyRingError as exc:
        if not source:
            raise
        raise KeyRingError(f"{source}: {exc}") from None


def _entries(items: Any) -> list[tuple[str, bytes]]:
    if not isinstance(items, list):
        raise KeyRingError("expected a list of keys")
    entries = []
    for item in items:
        if not isinstance(item, Mapping) or "id" not in item or "key" not in item:
            raise KeyRingError('each key needs an "id" and a "key"')
        entries.append((item["id"], decode_key(item["key"], item["id"])))
    return entries


def _compact_entries(text: str) -> list[tuple[str, bytes]]:
    entries = []
    for part in text.split(","):
        key_id, separator, key = part.strip().partition(":")
        if not separator:
            raise KeyRingError("expected id:base64 pairs separated by commas")
        entries.append((key_id, decode_key(key, key_id)))
    return entries
