"""Split an expression into tokens, following the XPath 1.0 lexical rules we need.

The one context-sensitive rule of XPath is kept: ``and``, ``or``, ``div``, ``mod`` and
``*`` are operators only when the previous token ends an operand (a number, string,
reference, ``.`` or ``)``); elsewhere a name is a function name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from .errors import ExpressionSyntaxError

MAX_LENGTH = 10_000
WHITESPACE = " \t\r\n"  # XPath's ExprWhitespace; other blanks are reported as errors
OPERATOR_NAMES = frozenset({"and", "or", "div", "mod"})
DIGITS = "0123456789"
_DIGIT_SET = frozenset(DIGITS)

FIELD_NAME = re.compile(r"[^\W\d][\w.\-]*")
_NAME_CHARS = re.compile(r"[^\W\d][\w.\-]*(?::[^\W\d][\w.\-]*)?")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
_NUMBER_TAIL = re.compile(r"[\w.]+")

# Characters authors type by habit from other languages or paste from spreadsheets.
_HINTS = {
    "/": "divide with 'div'; paths are not supported, write ${name}",
    "!": "use '!=' or not(...)",
    "&": "use 'and'",
    "|": "use 'or'",
    "‘": "use straight quotes ' or \"",
    "’": "use straight quotes ' or \"",
    "“": "use straight quotes ' or \"",
    "”": "use straight quotes ' or \"",
    "\xa0": "use an ordinary space, not a no-break space",
}


class Kind(Enum):
    """What a token is."""

    NUMBER = "number"
    STRING = "string"
    REFERENCE = "reference"
    DOT = "'.'"
    LPAREN = "'('"
    RPAREN = "')'"
    COMMA = "','"
    PARENT = "'..'"
    OPERATOR = "operator"
    NAME = "name"
    END = "end of expression"


ENDS_OPERAND = frozenset({Kind.NUMBER, Kind.STRING, Kind.REFERENCE, Kind.DOT, Kind.RPAREN})


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its kind, its value (the text, or a string literal's content) and offset."""

    kind: Kind
    value: str
    position: int

    def describe(self) -> str:
        """The token as quoted in error messages."""
        if self.kind is Kind.END:
            return "end of expression"
        if self.kind is Kind.STRING:
            return "a string"
        if self.kind is Kind.REFERENCE:
            return f"${{{self.value}}}"
        return f"'{self.value}'"


def tokenize(text: str) -> list[Token]:
    """Split `text` into tokens, ending with an END token.

    :raise ExpressionSyntaxError: on a character or literal that cannot start a token.
    """
    if len(text) > MAX_LENGTH:
        raise ExpressionSyntaxError(
            f"Expression is longer than {MAX_LENGTH} characters", MAX_LENGTH
        )
    tokens: list[Token] = []
    position, length = 0, len(text)
    while position < length:
        char = text[position]
        if char in WHITESPACE:
            position += 1
            continue
        after_operand = bool(tokens) and tokens[-1].kind in ENDS_OPERAND
        token = _next_token(text, position, char, after_operand)
        tokens.append(token)
        position = _token_end(text, token)
    tokens.append(Token(Kind.END, "", length))
    return tokens


def _token_end(text: str, token: Token) -> int:
    if token.kind is Kind.STRING:
        return token.position + len(token.value) + 2
    if token.kind is Kind.REFERENCE:
        return token.position + len(token.value) + 3
    return token.position + len(token.value)


def _next_token(text: str, position: int, char: str, after_operand: bool) -> Token:
    two = text[position : position + 2]
    if two in ("!=", "<=", ">="):
        return Token(Kind.OPERATOR, two, position)
    if two == "==":
        raise ExpressionSyntaxError("'==' is not an operator; use '='", position)
    if char in "=<>+-":
        return Token(Kind.OPERATOR, char, position)
    if char == "*":
        if not after_operand:
            raise ExpressionSyntaxError("Expected a value, found '*'", position)
        return Token(Kind.OPERATOR, char, position)
    if char in "'\"":
        end = text.find(char, position + 1)
        if end < 0:
            raise ExpressionSyntaxError("Unclosed string", position)
        return Token(Kind.STRING, text[position + 1 : end], position)
    if char == "$":
        return Token(Kind.REFERENCE, _reference_name(text, position), position)
    if char in DIGITS or (char == "." and text[position + 1 : position + 2] in _DIGIT_SET):
        return _number(text, position)
    if char == ".":
        if two == "..":
            if _in_position_call(text, position):
                return Token(Kind.PARENT, two, position)
            raise ExpressionSyntaxError("'..' is not supported; write ${name}", position)
        return Token(Kind.DOT, char, position)
    if char in "(),":
        kind = {"(": Kind.LPAREN, ")": Kind.RPAREN, ",": Kind.COMMA}[char]
        return Token(kind, char, position)
    match = _NAME_CHARS.match(text, position)
    if match:
        name = match.group()
        if after_operand and name in OPERATOR_NAMES:
            return Token(Kind.OPERATOR, name, position)
        return Token(Kind.NAME, name, position)
    raise ExpressionSyntaxError(_unexpected_character(char), position)


def _in_position_call(text: str, position: int) -> bool:
    """Whether the ``..`` at `position` is the whole argument of ``position(..)``."""
    before = text[:position].rstrip(WHITESPACE)
    after = text[position + 2 :].lstrip(WHITESPACE)
    return (
        before.endswith("(")
        and before[:-1].rstrip(WHITESPACE).endswith("position")
        and after.startswith(")")
    )


def _reference_name(text: str, position: int) -> str:
    if text[position + 1 : position + 2] != "{":
        raise ExpressionSyntaxError("Invalid reference; write ${name}", position)
    end = text.find("}", position + 2)
    if end < 0:
        raise ExpressionSyntaxError("Unclosed reference; write ${name}", position)
    name = text[position + 2 : end]
    if not name:
        raise ExpressionSyntaxError("Empty reference '${}'", position)
    if not FIELD_NAME.fullmatch(name):
        raise ExpressionSyntaxError(f"Invalid field name {name!r} in reference", position)
    return name


def _number(text: str, position: int) -> Token:
    match = _NUMBER.match(text, position)
    tail = _NUMBER_TAIL.match(text, match.end()) if match else None
    if match is None or tail:
        # "1.2.3", "1e5", "12abc": one number glued to more; XPath has no exponents.
        end = tail.end() if tail else position + 1
        raise ExpressionSyntaxError(f"Invalid number {text[position:end]!r}", position)
    return Token(Kind.NUMBER, match.group(), position)


def _unexpected_character(char: str) -> str:
    shown = repr(char) if char.isprintable() and char != "\xa0" else f"U+{ord(char):04X}"
    hint = _HINTS.get(char)
    return f"Unexpected character {shown}" + (f"; {hint}" if hint else "")
