"""Backups and restore: the database, the files plugins name, and what must be kept apart.

``tracing-app backup DIR`` writes the database (SQLite's online backup API, or
``pg_dump``), the files plugins declare through ``tracing_backup_items`` and a manifest
with checksums. Secrets are never copied into a backup: plugins name them so the backup
can say what must be kept separately (docs/operations.md#backups-and-restore).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["BackupItem"]


@dataclass(frozen=True)
class BackupItem:
    """A file or folder of the site outside the database.

    :param name: its stable name inside a backup (``media``); restore puts it back at the
        path the restoring site declares under the same name.
    :param path: where it lives on this site.
    :param description: what it is, for the operator (a lazy translatable string).
    :param included: False for secrets (data keys…): never copied; the backup says to
        keep them separately.
    """

    name: str
    path: Path
    description: Any
    included: bool = True
