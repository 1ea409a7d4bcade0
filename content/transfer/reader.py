"""Reading an export folder into item sources, noting every file that cannot be read."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from content.i18n import _
from content.limits import LimitExceeded, check_size, upload_limits
from content.transfer.format import (
    INDEX,
    ITEM_FIELDS,
    LIVE_FIELDS,
    LIVE_MARKDOWN,
    MARKDOWN,
    MEDIA_FOLDER,
    FormatError,
    field_problems,
    parse_document,
)


@dataclass(frozen=True)
class Problem:
    """Why a file cannot be imported."""

    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


@dataclass
class LiveSource:
    """A ``.live.md`` file: the revision visitors see while a newer draft is worked on."""

    file: str
    meta: dict | None
    body: str


@dataclass
class ItemSource:
    """One item file (``<slug>.md`` or ``_index.md``) with its live file and media folder.

    ``meta`` is None when the file could not be read or its keys are wrong; the problem
    has been noted, and the item still counts as present (its children's folder exists).
    """

    file: str
    path: str
    as_folder: bool
    meta: dict | None = None
    body: str = ""
    live: LiveSource | None = None
    media_folder: Path | None = None

    @property
    def language(self) -> str:
        """Return the language folder the file is in."""
        return self.path.split("/", 1)[0]

    @property
    def slug(self) -> str:
        """Return the slug the file name gives."""
        return self.path.rsplit("/", 1)[-1]

    @property
    def parent_path(self) -> str | None:
        """Return the path of the folder holding the item (None: a language root)."""
        return self.path.rpartition("/")[0] or None

    @property
    def is_root(self) -> bool:
        """Return whether the file is a language root's ``<lang>/_index.md``."""
        return "/" not in self.path


def entries(folder: Path) -> dict[str, Path]:
    """Return a folder's entries by name, sorted, without hidden ones (``.git``…)."""
    return {
        entry.name: entry for entry in sorted(folder.iterdir()) if not entry.name.startswith(".")
    }


def scan(directory: Path) -> tuple[list[ItemSource], list[Problem]]:
    """Return the item sources below ``directory`` and the problems of reading them."""
    scanner = _Scanner(directory)
    for entry in entries(directory).values():
        if entry.is_dir() and not entry.is_symlink():
            scanner.folder(entry)
        else:
            scanner.unexpected(entry)
    return scanner.sources, scanner.problems


class _Scanner:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.limits = upload_limits()
        self.sources: list[ItemSource] = []
        self.problems: list[Problem] = []

    def relative(self, path: Path) -> str:
        return path.relative_to(self.directory).as_posix()

    def unexpected(self, entry: Path) -> None:
        # Symbolic links are refused: nothing outside the folder is read.
        name = self.relative(entry) + ("/" if entry.is_dir() else "")
        self.problems.append(
            Problem(name, _("This does not belong in a content folder (see its description)."))
        )

    def folder(self, folder: Path) -> None:
        found = entries(folder)
        for name, entry in found.items():
            if entry.is_symlink():
                self.unexpected(entry)
            elif entry.is_dir() and name.endswith(MEDIA_FOLDER):
                if name.removesuffix(MEDIA_FOLDER) + MARKDOWN not in found:
                    self.unexpected(entry)
            elif entry.is_dir():
                self.folder(entry)
            elif name.endswith(LIVE_MARKDOWN):
                if name.removesuffix(LIVE_MARKDOWN) + MARKDOWN not in found:
                    self.unexpected(entry)
            elif name.endswith(MARKDOWN):
                self.item(entry, found)
            else:
                self.unexpected(entry)

    def item(self, file: Path, found: dict[str, Path]) -> None:
        stem = file.name.removesuffix(MARKDOWN)
        folder = self.relative(file.parent)
        source = ItemSource(
            file=self.relative(file),
            path=folder if stem == INDEX else f"{folder}/{stem}",
            as_folder=stem == INDEX,
        )
        source.meta, source.body = self.read(file, ITEM_FIELDS)
        live = found.get(stem + LIVE_MARKDOWN)
        if live is not None and live.is_file():
            source.live = LiveSource(self.relative(live), *self.read(live, LIVE_FIELDS))
        media = found.get(stem + MEDIA_FOLDER)
        if media is not None and media.is_dir():
            source.media_folder = media
        self.sources.append(source)

    def read(self, file: Path, fields: dict[str, str]) -> tuple[dict | None, str]:
        """Return a file's front matter (None when unusable) and body, noting problems."""
        name = self.relative(file)
        try:
            with file.open("rb") as stream:  # one byte past the limit is enough to refuse
                data = stream.read(self.limits.max_text_bytes + 1)
            check_size(data, self.limits.max_text_bytes)
            meta, body = parse_document(data.decode("utf-8-sig"))
        except LimitExceeded as exc:
            self.problems.append(Problem(name, exc.message))
            return None, ""
        except UnicodeDecodeError:
            self.problems.append(Problem(name, _("The file is not UTF-8 text.")))
            return None, ""
        except FormatError as exc:
            self.problems.append(Problem(name, str(exc)))
            return None, ""
        problems = field_problems(meta, fields)
        self.problems.extend(Problem(name, message) for message in problems)
        return (None if problems else meta), body
