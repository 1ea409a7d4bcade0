"""Write a syntax tree back as text that parses to the same tree.

Parentheses appear only where precedence needs them; useful to rewrite expressions
(for instance after renaming a field) and to test the parser by round trips.
"""

from __future__ import annotations

from .nodes import (
    Current,
    FunctionCall,
    Negate,
    Node,
    NumberLiteral,
    Operation,
    Reference,
    StringLiteral,
)
from .values import number_to_string


def unparse(node: Node) -> str:
    """The source text of `node`.

    :raise ValueError: for what the language cannot write: a string holding both quote
        characters, or a negative, infinite or NaN number literal.
    """
    if isinstance(node, NumberLiteral):
        if not node.value >= 0 or node.value == float("inf"):
            raise ValueError(f"No literal for the number {node.value!r}")
        return number_to_string(node.value)
    if isinstance(node, StringLiteral):
        return _quote(node.value)
    if isinstance(node, Reference):
        return f"${{{node.name}}}"
    if isinstance(node, Current):
        return "."
    if isinstance(node, Negate):
        operand = unparse(node.operand)
        return f"-({operand})" if isinstance(node.operand, Operation) else f"-{operand}"
    if isinstance(node, FunctionCall):
        if node.name == "position" and not node.arguments:
            return "position(..)"  # the parser reads position() and position(..) alike
        return f"{node.name}({', '.join(unparse(argument) for argument in node.arguments)})"
    return _operation(node)


def _operation(node: Operation) -> str:
    # An operand of the same level is parenthesised too: the parser would flatten it.
    parts = [_operand(node.operands[0], node.level)]
    for operator, operand in zip(node.operators, node.operands[1:], strict=True):
        parts.append(f"{operator} {_operand(operand, node.level)}")
    return " ".join(parts)


def _operand(node: Node, level: int) -> str:
    text = unparse(node)
    if isinstance(node, Operation) and node.level <= level:
        return f"({text})"
    return text


def _quote(value: str) -> str:
    if "'" not in value:
        return f"'{value}'"
    if '"' not in value:
        return f'"{value}"'
    raise ValueError("XPath 1.0 has no literal holding both ' and \"; use concat()")
