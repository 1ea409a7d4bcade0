"""The syntax tree: small frozen dataclasses, compared without their source positions.

Binary operators of one precedence level are kept flat: ``1 - 2 - 3`` is one
`Operation` with three operands, evaluated left to right. That keeps a long sum of
scores shallow, so evaluating it never recurses deeply.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

# Precedence levels, lowest first (XPath 1.0). Unary minus binds tighter than all.
LEVELS: tuple[frozenset[str], ...] = (
    frozenset({"or"}),
    frozenset({"and"}),
    frozenset({"=", "!="}),
    frozenset({"<", "<=", ">", ">="}),
    frozenset({"+", "-"}),
    frozenset({"*", "div", "mod"}),
)
LEVEL_OF: dict[str, int] = {op: level for level, ops in enumerate(LEVELS) for op in ops}


@dataclass(frozen=True, slots=True)
class NumberLiteral:
    """A number as written, e.g. ``12`` or ``.5`` (never negative: see `Negate`)."""

    value: float
    position: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class StringLiteral:
    """A string in single or double quotes."""

    value: str
    position: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Reference:
    """``${name}``: the answer to another question."""

    name: str
    position: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Current:
    """``.``: the answer to the question being checked."""

    position: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Negate:
    """Unary minus."""

    operand: Node
    position: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Operation:
    """Operands joined by operators of one precedence level, applied left to right."""

    operands: tuple[Node, ...]
    operators: tuple[str, ...]
    position: int = field(default=0, compare=False, repr=False)

    @property
    def level(self) -> int:
        """The precedence level of the operators (index into `LEVELS`)."""
        return LEVEL_OF[self.operators[0]]


@dataclass(frozen=True, slots=True)
class FunctionCall:
    """A call such as ``selected(${symptoms}, 'fever')``."""

    name: str
    arguments: tuple[Node, ...]
    position: int = field(default=0, compare=False, repr=False)


Node = NumberLiteral | StringLiteral | Reference | Current | Negate | Operation | FunctionCall


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-expressions of `node`."""
    if isinstance(node, Negate):
        return (node.operand,)
    if isinstance(node, Operation):
        return node.operands
    if isinstance(node, FunctionCall):
        return node.arguments
    return ()


def walk(node: Node) -> Iterator[Node]:
    """`node` and all its descendants, parents first (iterative: trees can be wide)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))
