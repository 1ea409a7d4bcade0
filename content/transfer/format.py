"""One content file: YAML front matter between ``---`` lines, then the body.

The body is written as stored (line endings made LF) followed by one newline, and that
one newline is taken off again when reading, so every body string, with or without a
trailing newline, comes back unchanged. ``---`` lines inside the body are plain text:
only the first two ``---`` lines of the file delimit the front matter.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import yaml

from content.i18n import _

FENCE = "---"
INDEX = "_index"
MARKDOWN = ".md"
LIVE_MARKDOWN = ".live.md"
MEDIA_FOLDER = ".media"

#: Front matter of an item file, in the order it is written, with the YAML kind expected.
ITEM_FIELDS = {
    "type": "string",
    "language": "string",
    "slug": "string",
    "order": "integer",
    "state": "string",
    "live": "boolean",
    "translation_group": "string or null",
    "translation_of": "string or null",
    "needs_translation": "boolean",
    "title": "string",
    "description": "string",
    "media": "list of strings",
}
#: Front matter of a ``.live.md`` file (what visitors see while a draft is worked on).
LIVE_FIELDS = {"title": "string", "description": "string"}

_KINDS: dict[str, Callable[[object], bool]] = {
    "string": lambda value: isinstance(value, str),
    "integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "boolean": lambda value: isinstance(value, bool),
    "string or null": lambda value: value is None or isinstance(value, str),
    "list of strings": lambda value: (
        isinstance(value, list) and all(isinstance(entry, str) for entry in value)
    ),
}

# Media names are what ``content.media.operations.safe_filename`` makes: ASCII letters,
# digits, ``_-`` and dots between them (a dot ending a sentence is not part of the name).
_FILENAME = r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*"
#: A media file's URL in a stored body: ``/media/<id>/<filename>``.
MEDIA_URL = re.compile(rf"(?<![\w/.-])/media/(?P<id>\d+)/(?P<name>{_FILENAME})")
#: The same reference in a file: ``media:<item path>/<filename>``.
MEDIA_REFERENCE = re.compile(
    rf"(?<![\w/.:-])media:(?P<path>[a-z0-9-]+(?:/[a-z0-9-]+)*)/(?P<name>{_FILENAME})"
)


class TransferError(ValueError):
    """Content cannot be exported or imported; the message is translated."""


class FormatError(TransferError):
    """A file cannot be read as front matter and body."""


def dump_document(meta: dict, body: str) -> str:
    """Return the text of a file: front matter in the order of ``meta``, then the body."""
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, default_flow_style=False)
    return f"{FENCE}\n{front}{FENCE}\n{normalize_newlines(body)}\n"


def parse_document(text: str) -> tuple[dict, str]:
    """Return the front matter and the body of a file's text.

    :raise FormatError: no front matter, invalid YAML (with its line in the file), or
        front matter that is not a mapping.
    """
    lines = text.removeprefix("\ufeff").split("\n")
    try:
        end = lines.index(FENCE, 1) if lines[0] == FENCE else -1
    except ValueError:
        end = -1
    if end < 0:
        raise FormatError(_("The file must start with front matter between two --- lines."))
    try:
        meta = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        # The mark counts from 0 within the front matter, which starts on the file's line 2.
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise FormatError(
            _(
                "The front matter is not valid YAML (line %(line)s): %(problem)s",
                line=line,
                problem=problem,
            )
        ) from exc
    except (ValueError, RecursionError) as exc:
        # PyYAML lets Python's errors through: 2024-02-30 as a date, 0x_ as a number,
        # nesting deeper than the interpreter's stack.
        raise FormatError(_("The front matter is not valid YAML.")) from exc
    if not isinstance(meta, dict):
        raise FormatError(_("The front matter must be YAML keys with values."))
    body = "\n".join(lines[end + 1 :])
    return meta, body.removesuffix("\n")


def field_problems(meta: dict, fields: dict[str, str]) -> list[str]:
    """Return what is wrong with the keys of front matter: missing, unknown, wrong kind."""
    problems = []
    missing = [key for key in fields if key not in meta]
    unknown = sorted(str(key) for key in meta if key not in fields)
    if missing:
        problems.append(_("Missing keys: %(keys)s.", keys=", ".join(missing)))
    if unknown:
        problems.append(_("Unknown keys: %(keys)s.", keys=", ".join(unknown)))
    for key, kind in fields.items():
        if key in meta and not _KINDS[kind](meta[key]):
            problems.append(_("%(key)s: expected %(expected)s.", key=key, expected=kind))
    return problems


def normalize_newlines(text: str) -> str:
    """Return the text with LF line endings only."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def portable_media(body: str, names: dict[int, tuple[str, str]]) -> str:
    """Rewrite ``/media/<id>/<filename>`` to ``media:<item path>/<exported name>``.

    :param names: media id → (stored filename, portable reference); URLs of unknown
        media, or whose filename is not the stored one, stay as they are.
    """

    def replace(match: re.Match) -> str:
        found = names.get(int(match["id"]))
        return found[1] if found is not None and found[0] == match["name"] else match[0]

    return MEDIA_URL.sub(replace, body)


def site_media(body: str, media_id: Callable[[str, str], int | None]) -> str:
    """Rewrite ``media:<item path>/<name>`` to ``/media/<id>/<name>`` for the media it finds."""

    def replace(match: re.Match) -> str:
        found = media_id(match["path"], match["name"])
        return f"/media/{found}/{match['name']}" if found is not None else match[0]

    return MEDIA_REFERENCE.sub(replace, body)


def media_references(body: str) -> list[tuple[str, str]]:
    """Return the (item path, name) of every ``media:`` reference in a body."""
    return [(match["path"], match["name"]) for match in MEDIA_REFERENCE.finditer(body)]
