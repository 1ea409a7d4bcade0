r"""The lexical layer of GIFT: escapes, blocks of lines, and splitting at unescaped marks.

Structure is found on the raw (still escaped) text, skipping ``\x`` pairs; only the
leaf texts are unescaped. The escapes are Moodle's: ``\~ \= \# \{ \} \: \\`` and
``\n`` for a line break. Any other backslash stays as it is (``\(`` for LaTeX).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["CATEGORY", "FORMAT_TAG", "Block", "blocks", "escape", "find", "split", "unescape"]

#: Starts a line that sets the category of the questions after it.
CATEGORY = "$CATEGORY:"
#: Moodle's text-format tag at the start of a question text, an answer or a feedback.
FORMAT_TAG = re.compile(r"\s*\[(markdown|plain|moodle|html)\]", re.IGNORECASE)

_ESCAPE = re.compile(r"\\([~=#{}:\\n])")
_SPECIAL = re.compile(r"[\\~=#{}]")


def unescape(raw: str) -> str:
    """Return ``raw`` with GIFT escapes decoded."""
    return _ESCAPE.sub(lambda match: "\n" if match[1] == "n" else match[1], raw)


def escape(text: str, *, colons: bool = False) -> str:
    """Return ``text`` with every GIFT special character escaped, on one line.

    :param colons: escape ``:`` too (titles, where ``::`` ends the title).
    """
    raw = _SPECIAL.sub(lambda match: "\\" + match[0], text).replace("\n", "\\n")
    return raw.replace(":", "\\:") if colons else raw


def find(raw: str, target: str, start: int = 0) -> int:
    """Return the index of the first unescaped ``target`` in ``raw`` from ``start``, or -1."""
    index = start
    while index < len(raw):
        if raw[index] == "\\":
            index += 2
        elif raw.startswith(target, index):
            return index
        else:
            index += 1
    return -1


def split(raw: str, marks: str) -> list[tuple[str, int, str]]:
    """Split ``raw`` at each unescaped character of ``marks``.

    :return: ``(mark, offset, piece)`` triples: the mark before each piece (``""`` for
        the first) and the piece's offset in ``raw``.
    """
    pieces, mark, begin, index = [], "", 0, 0
    while index < len(raw):
        char = raw[index]
        if char == "\\":
            index += 2
            continue
        if char in marks:
            pieces.append((mark, begin, raw[begin:index]))
            mark, begin = char, index + 1
        index += 1
    pieces.append((mark, begin, raw[begin:]))
    return pieces


@dataclass(frozen=True)
class Block:
    """A run of non-blank lines, comment lines left out, joined with line breaks.

    :param raw: the joined text.
    :param numbers: the file's line number of each joined line.
    :param starts: the offset in ``raw`` where each joined line starts.
    """

    raw: str
    numbers: tuple[int, ...]
    starts: tuple[int, ...]

    @property
    def first_line(self) -> int:
        """The file's line number of the block's first line."""
        return self.numbers[0]

    def line(self, offset: int) -> int:
        """Return the file's line number of the character at ``offset`` in ``raw``."""
        return self.numbers[max(bisect_right(self.starts, offset) - 1, 0)]

    @classmethod
    def of(cls, lines: list[tuple[int, str]]) -> Block:
        """Build a block from ``(line number, text)`` pairs."""
        starts, offset = [], 0
        for _number, text in lines:
            starts.append(offset)
            offset += len(text) + 1
        raw = "\n".join(text for _number, text in lines)
        return cls(raw, tuple(number for number, _text in lines), tuple(starts))


def blocks(text: str) -> Iterator[Block]:
    """Yield the blocks of a GIFT file.

    Blank lines separate blocks, ``//`` lines vanish, and a ``$CATEGORY:`` line is a block
    of its own (so a question right after it, without a blank line, is still read).
    """
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    current: list[tuple[int, str]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if line.lstrip().startswith("//"):
            continue
        if line.strip() and not line.lstrip().startswith(CATEGORY):
            current.append((number, line))
            continue
        if current:
            yield Block.of(current)
        current = []
        if line.strip():
            yield Block.of([(number, line)])
    if current:
        yield Block.of(current)
