"""The key file in the instance folder, and loading the key ring from it or the environment.

The file is JSON, readable by its owner only (0600)::

    {"format": 1, "current": "3f9a1c07", "keys": [
        {"id": "0b41d2e8", "key": "<base64, 32 bytes>", "created": "2024-06-01T09:00:00+00:00"},
        {"id": "3f9a1c07", "key": "...", "created": "..."}]}

Keys are listed oldest first; ``current`` names the key new data is written under (the
last one when it is absent). The file is only ever replaced whole (write a temporary
file, then rename), so a crash never leaves half a key ring.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tracing_app.protection.keys import (
    KEY_BYTES,
    KEYS_ENV_VAR,
    KeyRing,
    KeyRingError,
    encode_key,
    parse_key_ring,
)

#: Name of the key file in the instance folder.
KEY_FILE_NAME = "keys.json"


def key_file_path(instance_path: str | Path) -> Path:
    """Return where the key file of an instance folder lives."""
    return Path(instance_path) / KEY_FILE_NAME


def load_key_ring(instance_path: str | Path, environ: Mapping[str, str] | None = None) -> KeyRing:
    """Load the key ring from ``TRACING_DATA_KEYS`` when it is set, else from the key file.

    The environment, when set, is the whole key ring: the file is not read, so a host never
    mixes two sources that could disagree about the current key.

    :raise KeyRingError: no keys anywhere, a malformed source, or a key file that other
        users may read.
    """
    environ = os.environ if environ is None else environ
    if environ.get(KEYS_ENV_VAR, "").strip():
        return parse_key_ring(environ[KEYS_ENV_VAR], source=f"environment {KEYS_ENV_VAR}")
    path = key_file_path(instance_path)
    if not path.exists():
        raise KeyRingError(
            f"no data keys: run 'tracing-app init' to create {path}, or set {KEYS_ENV_VAR}"
        )
    return read_key_file(path)


def read_key_file(path: str | Path) -> KeyRing:
    """Read a key file into a key ring.

    :raise KeyRingError: malformed, or readable or writable by anyone but its owner.
    """
    return parse_key_ring(_read(Path(path)), source=str(path))


def generate_key_file(path: str | Path) -> str | None:
    """Create a key file with one new key (mode 0600); never overwrite an existing one.

    :return: the new key's id, or None when the file already exists.
    """
    path = Path(path)
    if path.exists():
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    entry = _new_entry(set())
    try:
        _write(path, {"format": 1, "current": entry["id"], "keys": [entry]}, replace=False)
    except FileExistsError:  # created meanwhile by another process: keep theirs
        return None
    return entry["id"]


def write_secret_file(path: Path, text: str) -> bool:
    """Create a file readable by its owner only (0600); never overwrite an existing one.

    :return: whether the file was created (False: it exists, possibly made meanwhile by
        another process, whose content is kept).
    """
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.link(temporary, path)  # fails when the file exists: never overwrite
    except FileExistsError:
        return False
    finally:
        temporary.unlink(missing_ok=True)
    return True


def add_key_to_file(path: str | Path, *, make_current: bool = True) -> str:
    """Add a new key to a key file and return its id.

    :param make_current: write new data under it at once. Pass False to stage the key:
        spread the file to every host first, then call :func:`set_current_key`, so no host
        meets data under a key it does not have yet.
    """
    path = Path(path)
    data = _read(path)
    ring = parse_key_ring(data, source=str(path))
    entry = _new_entry(set(ring.key_ids))
    data["keys"].append(entry)
    data["current"] = entry["id"] if make_current else ring.current_id
    _write(path, data)
    return entry["id"]


def set_current_key(path: str | Path, key_id: str) -> None:
    """Make a key of the file the current one.

    :raise KeyRingError: no such key in the file.
    """
    path = Path(path)
    data = _read(path)
    data["current"] = key_id
    parse_key_ring(data, source=str(path))
    _write(path, data)


def remove_key_from_file(path: str | Path, key_id: str) -> None:
    """Remove a retired key from a key file, once no data is left under it.

    :raise KeyRingError: the key is unknown or is the current key.
    """
    path = Path(path)
    data = _read(path)
    ring = parse_key_ring(data, source=str(path))
    if key_id not in ring:
        raise KeyRingError(f"{path}: no key {key_id!r}")
    if key_id == ring.current_id:
        raise KeyRingError(f"{path}: the current key cannot be removed")
    data["keys"] = [entry for entry in data["keys"] if entry["id"] != key_id]
    data["current"] = ring.current_id  # removing the last entry must not move "current"
    _write(path, data)


def _new_entry(taken: set[str]) -> dict[str, str]:
    key_id = secrets.token_hex(4)
    while key_id in taken:
        key_id = secrets.token_hex(4)
    return {
        "id": key_id,
        "key": encode_key(secrets.token_bytes(KEY_BYTES)),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _read(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise KeyRingError(f"{path}: no such key file")
    mode = path.stat().st_mode
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyRingError(f"{path}: other users may read this key file; run: chmod 600 {path}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        raise KeyRingError(f"{path}: not valid JSON") from None
    if not isinstance(data, dict):
        raise KeyRingError(f"{path}: expected a JSON object")
    return data


def _write(path: Path, data: dict[str, Any], *, replace: bool = True) -> None:
    """Write the file through a temporary file with mode 0600, then move it into place."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        if replace:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)  # fails when the file exists: never overwrite
    finally:
        temporary.unlink(missing_ok=True)
