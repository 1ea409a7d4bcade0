"""Bounded work for every upload and import: size, unpacked size, rows and columns.

Each importer reads its limits here (settings ``UPLOAD_MAX_*``, docs/configuration.md)
and refuses a file with :class:`LimitExceeded`, whose message names the limit that was
hit. Archives (.xlsx) are checked before anything is unpacked: number of members and
the sizes they declare, then the bytes actually unpacked while reading, so a zip bomb
costs at most the limit. Rows and columns are counted while streaming.

Text files are decoded by one rule (:func:`decode_text`).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO

from flask import current_app, has_app_context
from flask_babel import format_decimal

from content.config import DefaultConfig
from content.i18n import _, ngettext

#: Read this much of an archive member at a time while counting what it unpacks to.
_CHUNK = 64 * 1024

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


@dataclass(frozen=True)
class Limits:
    """How much work one upload may cause (defaults: the settings' defaults)."""

    #: Bytes of one text file (a content file, a file of questions).
    max_text_bytes: int = DefaultConfig.UPLOAD_MAX_TEXT_BYTES
    #: Bytes of an unpacked archive (all members together).
    max_unpacked_bytes: int = DefaultConfig.UPLOAD_MAX_UNPACKED_BYTES
    #: Members of an archive (an .xlsx has about ten).
    max_members: int = DefaultConfig.UPLOAD_MAX_ARCHIVE_MEMBERS
    #: Rows of one sheet or table, header included.
    max_rows: int = DefaultConfig.UPLOAD_MAX_ROWS
    #: Columns of one row.
    max_columns: int = DefaultConfig.UPLOAD_MAX_COLUMNS


def upload_limits() -> Limits:
    """Return the limits of the running app (its ``UPLOAD_MAX_*`` settings), else defaults."""
    if not has_app_context():
        return Limits()
    config = current_app.config
    return Limits(
        max_text_bytes=config["UPLOAD_MAX_TEXT_BYTES"],
        max_unpacked_bytes=config["UPLOAD_MAX_UNPACKED_BYTES"],
        max_members=config["UPLOAD_MAX_ARCHIVE_MEMBERS"],
        max_rows=config["UPLOAD_MAX_ROWS"],
        max_columns=config["UPLOAD_MAX_COLUMNS"],
    )


class LimitExceeded(ValueError):
    """A file is larger than a limit allows; ``message`` says which, translated."""

    def __init__(self, limit: str, maximum: int) -> None:
        super().__init__(f"{limit} limit of {maximum} exceeded")
        self.limit = limit
        self.maximum = maximum

    @property
    def message(self) -> str:
        """The translated sentence naming the limit (render it in a request or CLI)."""
        if self.limit == "bytes":
            return _(
                "The file is too large: at most %(size)s.", size=format_file_size(self.maximum)
            )
        if self.limit == "unpacked":
            return _("The file unpacks to more than %(size)s.", size=format_file_size(self.maximum))
        if self.limit == "members":
            return _("The file holds more than %(num)d parts.", num=self.maximum)
        if self.limit == "rows":
            return _("The file has more than %(num)d rows.", num=self.maximum)
        return _("A row has more than %(num)d columns.", num=self.maximum)


class UnreadableText(ValueError):
    """The bytes are not text in an encoding we read; ``message`` is translated."""

    @property
    def message(self) -> str:
        """The translated sentence for the user."""
        return _("The file is not text: save it as CSV (UTF-8).")


def format_file_size(size_bytes: int) -> str:
    """Return a size for people, in the page's language ("1,5 MB" in Dutch)."""
    if size_bytes < 1024:
        return ngettext(
            "%(size)s byte", "%(size)s bytes", size_bytes, size=format_decimal(size_bytes)
        )
    if size_bytes < 1024 * 1024:
        return _("%(num)s KB", num=format_decimal(size_bytes / 1024, format="#,##0.#"))
    return _("%(num)s MB", num=format_decimal(size_bytes / 1024 / 1024, format="#,##0.#"))


def check_size(data: bytes, max_bytes: int) -> None:
    """:raise LimitExceeded: ``data`` is longer than ``max_bytes``."""
    if len(data) > max_bytes:
        raise LimitExceeded("bytes", max_bytes)


def decode_text(data: bytes) -> str:
    """Decode an uploaded text file by the one rule of the site.

    A byte-order mark decides (UTF-8, UTF-16 little or big endian); without one the
    file is UTF-8 if it decodes as UTF-8, else Windows-1252 (Excel's "CSV" in Western
    Europe), else Latin-1. Text with NUL characters is not text (UTF-16 without a mark,
    a spreadsheet, an image).

    :raise UnreadableText: no text by that rule.
    """
    for mark, encoding in _BOMS:
        if data.startswith(mark):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                raise UnreadableText from None
            break
    else:
        for encoding in ("utf-8", "cp1252", "latin-1"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    if "\x00" in text:
        raise UnreadableText
    return text


def read_text_upload(stream: BinaryIO, limits: Limits) -> str:
    """Read an uploaded text file (questions, a page) within the limits, decoded by the rule.

    Reads one byte past ``max_text_bytes`` at most, never the whole stream.

    :raise LimitExceeded: the file is larger than ``max_text_bytes``.
    :raise UnreadableText: see :func:`decode_text`.
    """
    data = stream.read(limits.max_text_bytes + 1)
    check_size(data, limits.max_text_bytes)
    return decode_text(data)


def check_archive(data: bytes, limits: Limits) -> None:
    """Check a zip archive against the limits before anything else unpacks it.

    Declared sizes are checked first (cheap), then every member is unpacked in chunks
    and counted, so an archive that lies about its sizes is caught while reading.

    :raise LimitExceeded: too many members, or too many bytes unpacked.
    :raise zipfile.BadZipFile: not a zip archive, or a damaged one.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        if len(members) > limits.max_members:
            raise LimitExceeded("members", limits.max_members)
        if sum(member.file_size for member in members) > limits.max_unpacked_bytes:
            raise LimitExceeded("unpacked", limits.max_unpacked_bytes)
        unpacked = 0
        for member in members:
            with archive.open(member) as stream:
                while chunk := stream.read(_CHUNK):
                    unpacked += len(chunk)
                    if unpacked > limits.max_unpacked_bytes:
                        raise LimitExceeded("unpacked", limits.max_unpacked_bytes)


def bounded_rows(rows: Iterable[Sequence], limits: Limits) -> Iterator[Sequence]:
    """Yield rows while counting them and their filled columns.

    :raise LimitExceeded: at the first row past ``max_rows``, or the first row with a
        filled cell past ``max_columns`` (empty trailing cells do not count).
    """
    for number, row in enumerate(rows, start=1):
        if number > limits.max_rows:
            raise LimitExceeded("rows", limits.max_rows)
        if len(row) > limits.max_columns and any(
            cell not in (None, "") for cell in row[limits.max_columns :]
        ):
            raise LimitExceeded("columns", limits.max_columns)
        yield row
