"""`parse` and the `Expression` it returns: parsed and compiled once, evaluated often."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from .context import EvaluationContext
from .evaluator import Compiled, compile_tree
from .nodes import FunctionCall, Node, Reference, walk
from .parser import choice_field, parse_tree
from .values import Value, to_boolean, to_string


@dataclass(frozen=True, eq=False, slots=True)
class Expression:
    """A parsed expression: its source, syntax tree, the fields it reads, and its code."""

    text: str
    tree: Node
    references: frozenset[str]
    _function: Compiled = field(repr=False)

    def evaluate(self, context: EvaluationContext) -> Value:
        """The value of the expression: a ``str``, ``float`` or ``bool``.

        :raise ExpressionError: when a value makes evaluation impossible (a pattern
            computed at run time that is not a safe regular expression).
        """
        return self._function(context)

    def evaluate_boolean(self, context: EvaluationContext) -> bool:
        """The value as XPath ``boolean()`` reads it: for ``relevant`` and ``constraint``."""
        return to_boolean(self._function(context))

    def evaluate_string(self, context: EvaluationContext) -> str:
        """The value as XPath ``string()`` writes it: for ``calculation``."""
        return to_string(self._function(context))


@lru_cache(maxsize=4096)
def parse(text: str) -> Expression:
    """Parse and compile `text`; the same text returns the same (immutable) `Expression`.

    :raise ExpressionSyntaxError: with ``.position``, the offset of the offending token.
    """
    if not isinstance(text, str):
        raise TypeError(f"An expression is a str, not {type(text).__name__}")
    tree = parse_tree(text)
    return Expression(text, tree, _references(tree), compile_tree(tree))


def _references(tree: Node) -> frozenset[str]:
    names = set()
    for node in walk(tree):
        if isinstance(node, Reference):
            names.add(node.name)
        elif isinstance(node, FunctionCall) and node.name == "jr:choice-name":
            names.add(choice_field(node.arguments[1].value))  # type: ignore[union-attr]
    return frozenset(names)
