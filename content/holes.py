"""Markup rendered once with holes, filled in per request: marks, splitting and filling.

A template that reads what differs per request only from a mapping of values can be
rendered once with a random mark in place of each value (:meth:`Marks.like`), split at
the marks (:meth:`Marks.split`) and kept; each request then fills the holes with its own
values, escaped as Jinja escapes them (:func:`fill`). The marks are random per process, so
no text of the site can contain one. Values are plain (escaped when filled in) or
``Markup`` (put in as they are); a list of mappings (table rows) is a hole per row and key.
"""

from __future__ import annotations

import re
import secrets

from markupsafe import Markup, escape


class Marks:
    """A random mark per process and the holes it makes."""

    def __init__(self) -> None:
        """Draw the mark."""
        self.mark = secrets.token_hex(16)
        self._hole = re.compile(rf"{self.mark}:([a-z_]+(?:\.\d+\.[a-z_]+)?):")

    def hole(self, name: str) -> Markup:
        """Return the mark of the hole ``name`` (letters, ``_``; ``rows.0.key`` in rows)."""
        return Markup(f"{self.mark}:{name}:")  # noqa: S704 - hex digits, names and ':'

    def like(self, values: dict) -> dict:
        """Return ``values`` with a hole in place of each value (rows: one per row and key)."""
        return {
            name: [
                {key: self.hole(f"{name}.{at}.{key}") for key in row}
                for at, row in enumerate(value)
            ]
            if type(value) is list
            else self.hole(name)
            for name, value in values.items()
        }

    def split(self, html: str) -> list[str]:
        """Return the text of ``html`` and the names of its holes, alternating."""
        return self._hole.split(html)


def flat(values: dict) -> dict:
    """Return ``values`` with rows as ``name.at.key`` (the holes' names)."""
    out = {}
    for name, value in values.items():
        if type(value) is list:
            for at, row in enumerate(value):
                for key, cell in row.items():
                    out[f"{name}.{at}.{key}"] = cell
        else:
            out[name] = value
    return out


def fill(pieces: list[str], values: dict) -> Markup:
    """Return the kept ``pieces`` with each hole's value (from :func:`flat`) in it, escaped."""
    out = []
    append = out.append
    for at, piece in enumerate(pieces):
        if at % 2 == 0:
            append(piece)
        else:
            value = values[piece]
            append(value if type(value) is Markup else escape(value))
    return Markup("".join(out))  # noqa: S704 - the template's output, values escaped
