"""Writing a backup folder and restoring one; shared by the CLI and the tests."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from sqlalchemy import text

from content.backup import BackupItem
from content.backup.database import BackupError, dump, dump_file_name, is_empty, load
from content.extensions import db
from content.i18n import _
from content.plugins import by_name, hook

MANIFEST = "manifest.json"
KEEP_SEPARATELY = "KEEP-SEPARATELY.txt"
FORMAT = 1


@dataclass
class BackupReport:
    """What a backup or restore did, and what the operator must still do."""

    directory: Path
    files: int = 0
    kept_separately: list[BackupItem] = field(default_factory=list)
    missing_secrets: list[BackupItem] = field(default_factory=list)


def backup_items(app: Flask) -> dict[str, BackupItem]:
    """Return every plugin's backup items by name.

    :raise ValueError: when two plugins use the same name.
    """
    return by_name(hook(app).tracing_backup_items(app=app), "Backup item")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files(root: Path) -> list[Path]:
    """Return the files of a file or folder item, in a stable order (hidden temp files skipped)."""
    if root.is_file():
        return [root]
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".upload-"))


def _migration_heads() -> list[str]:
    with db.engine.connect() as conn:
        return sorted(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def create_backup(app: Flask, directory: Path) -> BackupReport:
    """Write a backup of the running site into ``directory`` (new or empty).

    The database is copied first, the files after: files are written before their rows
    commit, so every file a copied row names is there (unless deleted meanwhile). The
    folder is filled under a temporary name and renamed at the end, so a folder named
    ``directory`` is always a complete backup.

    :raise BackupError: the folder is not empty, or the database copy failed.
    """
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(_("%(path)s is not empty: choose a new folder.", path=directory))
    partial = directory.with_name(f".{directory.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        report = _write_backup(app, partial, directory)
        if directory.exists():
            directory.rmdir()
        partial.rename(directory)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return report


def _write_backup(app: Flask, partial: Path, directory: Path) -> BackupReport:
    report = BackupReport(directory)
    database_file = dump_file_name(db.engine)
    dump(db.engine, partial / database_file)
    manifest = {
        "format": FORMAT,
        "created_dt": datetime.now(UTC).isoformat(),
        "dialect": db.engine.dialect.name,
        "migrations": _migration_heads(),
        "database": {"file": database_file, "sha256": _sha256(partial / database_file)},
        "items": {},
        "kept_separately": [],
    }
    for item in backup_items(app).values():
        if not item.included:
            report.kept_separately.append(item)
            manifest["kept_separately"].append({"name": item.name, "path": str(item.path)})
            continue
        files = {}
        for path in _files(item.path):
            relative = "." if path == item.path else path.relative_to(item.path).as_posix()
            target = partial / "items" / item.name
            if relative != ".":
                target = target / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            files[relative] = _sha256(target)
        manifest["items"][item.name] = {"is_dir": not item.path.is_file(), "files": files}
        report.files += len(files)
    (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    (partial / KEEP_SEPARATELY).write_text(_keep_separately_text(report.kept_separately))
    return report


def _keep_separately_text(items: list[BackupItem]) -> str:
    lines = [_("This backup holds no keys. Without these, encrypted data cannot be read:"), ""]
    lines += [f"- {item.description} ({item.name}): {item.path}" for item in items]
    return "\n".join(lines) + "\n"


def read_manifest(directory: Path) -> dict:
    """Read and check a backup folder: manifest, format and every checksum.

    :raise BackupError: naming the first file that is missing or differs.
    """
    try:
        manifest = json.loads((directory / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(
            _("%(path)s is not a backup: no readable manifest.", path=directory)
        ) from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(_("Unknown backup format %(format)s.", format=manifest.get("format")))
    expected = {manifest["database"]["file"]: manifest["database"]["sha256"]}
    for name, item in manifest["items"].items():
        for relative, digest in item["files"].items():
            path = Path("items", name) if relative == "." else Path("items", name, relative)
            expected[str(path)] = digest
    for relative, digest in expected.items():
        path = directory / relative
        if not path.is_file() or _sha256(path) != digest:
            raise BackupError(_("%(file)s is missing or damaged in the backup.", file=relative))
    return manifest


def restore_backup(app: Flask, directory: Path, *, replace: bool = False) -> BackupReport:
    """Restore a backup into this site's database and files.

    Everything is checked before anything changes: the backup's checksums, its database
    kind, its migrations (known to this code), and that the target is empty.

    :param replace: overwrite a database that has tables and files that exist.
    :raise BackupError: why nothing was restored.
    """
    manifest = read_manifest(directory)
    if manifest["dialect"] != db.engine.dialect.name:
        raise BackupError(
            _("The backup is of a %(kind)s database; this site uses %(site)s.",
              kind=manifest["dialect"], site=db.engine.dialect.name)
        )  # fmt: skip
    unknown = _unknown_revisions(app, manifest["migrations"])
    if unknown:
        raise BackupError(
            _("The backup comes from newer code (migrations %(ids)s): upgrade the code first.",
              ids=", ".join(unknown))
        )  # fmt: skip
    items = backup_items(app)
    missing = sorted(set(manifest["items"]) - set(items))
    if missing:
        raise BackupError(_("This site has no place for %(names)s.", names=", ".join(missing)))
    if not replace:
        occupied = [] if is_empty(db.engine) else [_("the database")]
        occupied += [
            str(items[name].path) for name in manifest["items"] if _files(items[name].path)
        ]
        if occupied:
            raise BackupError(
                _("Not empty: %(what)s. Restore into an empty site, or add --replace.",
                  what=", ".join(occupied))
            )  # fmt: skip
    db.session.remove()
    load(db.engine, directory / manifest["database"]["file"])
    report = BackupReport(directory)
    for name, entry in manifest["items"].items():
        report.files += _put_back(directory / "items" / name, items[name].path, entry)
    report.kept_separately = [item for item in items.values() if not item.included]
    report.missing_secrets = [item for item in report.kept_separately if not item.path.exists()]
    return report


def _put_back(source: Path, target: Path, entry: dict) -> int:
    if not entry["is_dir"]:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        return 1
    if target.exists():
        shutil.rmtree(target)
    if source.exists():
        shutil.copytree(source, target)
    else:
        target.mkdir(parents=True)
    return len(entry["files"])


def _unknown_revisions(app: Flask, revisions: list[str]) -> list[str]:
    from alembic.script import ScriptDirectory

    migrate = app.extensions["migrate"]
    scripts = ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory))
    known = {script.revision for script in scripts.walk_revisions()}
    return [revision for revision in revisions if revision not in known]
