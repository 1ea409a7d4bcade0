"""Where media bytes live on disk, and keeping the disk in step with the database.

Files are written before the row is committed and removed only after a deletion is
committed, so a rolled-back upload leaves no file and a rolled-back deletion keeps it.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from content.media.models import MediaFile

logger = logging.getLogger(__name__)

#: ``Session.info`` keys: files to remove when the transaction commits / rolls back.
_REMOVE_ON_COMMIT = "media.remove_on_commit"
_REMOVE_ON_ROLLBACK = "media.remove_on_rollback"


def media_directory() -> Path:
    """Return the folder of media files: ``MEDIA_DIRECTORY``, else ``<instance>/media``."""
    configured = current_app.config.get("MEDIA_DIRECTORY")
    return Path(configured) if configured else Path(current_app.instance_path) / "media"


def file_path(stored_name: str) -> Path:
    """Return a stored file's path; one subfolder per two first characters keeps folders small."""
    return media_directory() / stored_name[:2] / stored_name


def write_new_file(session: Session, stored_name: str, data: bytes) -> Path:
    """Write a new file atomically (temporary file, then rename); it goes if the session rolls back.

    Readers never see half a file, and a crash leaves at most a hidden ``.upload-*`` file.
    """
    path = file_path(stored_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    session.info.setdefault(_REMOVE_ON_ROLLBACK, []).append(path)
    return path


def _remove(paths: list[Path]) -> None:
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            logger.exception("Could not remove media file %s", path.name)


@event.listens_for(Session, "after_flush")
def _note_deleted_files(session: Session, flush_context) -> None:
    """Remember the files of media rows deleted in this flush (also by an item's cascade)."""
    paths = [file_path(obj.stored_name) for obj in session.deleted if isinstance(obj, MediaFile)]
    if paths:
        session.info.setdefault(_REMOVE_ON_COMMIT, []).extend(paths)


@event.listens_for(Session, "after_commit")
def _remove_files_of_deleted_rows(session: Session) -> None:
    """Remove the files whose rows are gone for good; new files are now committed."""
    session.info.pop(_REMOVE_ON_ROLLBACK, None)
    _remove(session.info.pop(_REMOVE_ON_COMMIT, []))


@event.listens_for(Session, "after_transaction_end")
def _remove_files_of_new_rows(session: Session, transaction) -> None:
    """Remove the files written for rows that will never exist; deleted rows are back.

    Runs after ``after_commit``, which has emptied both lists when the transaction was
    committed; what is left belongs to a rollback or to a session closed without commit
    (a request that failed), which ``after_rollback`` does not see.
    """
    if transaction.parent is not None:  # a savepoint: the outer transaction decides
        return
    session.info.pop(_REMOVE_ON_COMMIT, None)
    _remove(session.info.pop(_REMOVE_ON_ROLLBACK, []))
