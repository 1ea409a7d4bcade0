"""Compile a syntax tree into nested Python closures (no ``eval``: plain function objects).

Each node becomes a function ``context -> value``. What can be known before evaluation
is decided once, here: the static type of each sub-expression (so ``${a} = 'yes'`` is
a plain string comparison and ``${b} > 3`` converts only the left side), literal
operands are captured as constants, and long operator chains run in a loop rather than
through deep nesting.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import methodcaller
from typing import Any

from .functions import ANY, BOOLEAN, FUNCTIONS, NUMBER, STRING
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
from .odk_functions import nodes
from .operators import COMPARISONS, SAME_TYPE_FUNCTIONS, VALUE_FUNCTIONS
from .values import Value, to_boolean, to_number

Compiled = Callable[[Any], Value]
_NESTED_CHAIN = 4  # up to this many operators: nested closures; longer: one loop


def compile_tree(node: Node) -> Compiled:
    """A function evaluating `node` against an evaluation context."""
    return _compile(node)[0]


def _compile(node: Node) -> tuple[Compiled, str]:
    """The function for `node` and its static type: STRING, NUMBER, BOOLEAN or ANY."""
    if isinstance(node, Reference):
        return methodcaller("value", node.name), STRING
    if isinstance(node, Current):
        return methodcaller("current"), STRING
    if isinstance(node, StringLiteral | NumberLiteral):
        constant = node.value
        return (lambda context: constant), STRING if isinstance(constant, str) else NUMBER
    if isinstance(node, Negate):
        operand = _as_number(*_compile(node.operand))
        return (lambda context: -operand(context)), NUMBER
    if isinstance(node, Operation):
        return _operation(node)
    return _call(node)


def _as_number(function: Compiled, kind: str) -> Callable[[Any], float]:
    if kind == NUMBER:
        return function  # type: ignore[return-value]
    return lambda context: to_number(function(context))


def _as_boolean(function: Compiled, kind: str) -> Callable[[Any], bool]:
    if kind == BOOLEAN:
        return function  # type: ignore[return-value]
    return lambda context: to_boolean(function(context))


def _operation(node: Operation) -> tuple[Compiled, str]:
    compiled = [_compile(operand) for operand in node.operands]
    if node.operators[0] in ("and", "or"):
        return _logical(node.operators[0], [_as_boolean(*pair) for pair in compiled]), BOOLEAN
    result_kind = BOOLEAN if node.operators[0] in COMPARISONS else NUMBER
    if len(node.operators) > _NESTED_CHAIN:
        return _chain(node, [function for function, _kind in compiled]), result_kind
    function, kind = compiled[0]
    for (operator, operand), (right, right_kind) in zip(
        zip(node.operators, node.operands[1:], strict=True), compiled[1:], strict=True
    ):
        function = _binary(operator, function, kind, right, right_kind, operand)
        kind = result_kind
    return function, result_kind


def _logical(operator: str, operands: list[Callable[[Any], bool]]) -> Compiled:
    if len(operands) == 2:
        first, second = operands
        if operator == "and":
            return lambda context: first(context) and second(context)
        return lambda context: first(context) or second(context)
    if operator == "and":
        return lambda context: all(operand(context) for operand in operands)
    return lambda context: any(operand(context) for operand in operands)


def _chain(node: Operation, operands: list[Compiled]) -> Compiled:
    """A long chain such as a sum of 200 scores: a loop, so evaluation never recurses deeply."""
    first, rest = (
        operands[0],
        list(zip([VALUE_FUNCTIONS[op] for op in node.operators], operands[1:], strict=True)),
    )

    def chain(context: Any) -> Value:
        value = first(context)
        for function, operand in rest:
            value = function(value, operand(context))
        return value

    return chain


def _binary(
    operator: str, left: Compiled, left_kind: str, right: Compiled, right_kind: str, node: Node
) -> Compiled:
    """One binary operator, specialised on the static types and on a literal right side."""
    kinds = (left_kind, right_kind)
    function: Callable[[Any, Any], Value]
    if operator in ("=", "!=") and BOOLEAN in kinds:
        left, right = _as_boolean(left, left_kind), _as_boolean(right, right_kind)
        function = SAME_TYPE_FUNCTIONS[operator]
    elif operator in COMPARISONS and ANY in kinds:
        function = VALUE_FUNCTIONS[operator]  # the types are only known at run time
    elif operator in ("=", "!=") and kinds == (STRING, STRING):
        function = SAME_TYPE_FUNCTIONS[operator]
    elif operator in COMPARISONS and kinds == (STRING, STRING):
        function = VALUE_FUNCTIONS[operator]  # two strings may be two times
    else:
        left, right = _as_number(left, left_kind), _as_number(right, right_kind)
        function = SAME_TYPE_FUNCTIONS[operator]
    if isinstance(node, StringLiteral | NumberLiteral):
        constant = right(None)  # a literal, possibly converted: the context is never read
        return lambda context: function(left(context), constant)
    return lambda context: function(left(context), right(context))


def _call(node: FunctionCall) -> tuple[Compiled, str]:
    spec = FUNCTIONS[node.name]
    implementation = spec.implementation
    if node.name == "indexed-repeat":
        return _indexed_repeat(node), STRING
    compiled = [_compile(argument) for argument in node.arguments]
    if spec.answers:
        compiled = [
            (_answers(argument.name), ANY) if isinstance(argument, Reference) else pair
            for argument, pair in zip(node.arguments, compiled, strict=True)
        ]
    arguments = [function for function, _kind in compiled]
    kind = spec.result
    if spec.lazy:
        if node.name == "if":
            branch_kinds = {compiled[1][1], compiled[2][1]}
            kind = branch_kinds.pop() if len(branch_kinds) == 1 else ANY
        return (lambda context: implementation(context, *arguments)), kind
    if len(arguments) == 0:
        return (lambda context: implementation(context)), kind
    if len(arguments) == 1:
        (first,) = arguments
        return (lambda context: implementation(context, first(context))), kind
    if len(arguments) == 2:
        first, second = arguments
        return (lambda context: implementation(context, first(context), second(context))), kind
    return (lambda context: implementation(context, *[a(context) for a in arguments])), kind


def _answers(name: str) -> Compiled:
    """A ``${name}`` argument read as the answers of every instance it can be seen in."""
    return lambda context: nodes(context, name)  # type: ignore[return-value]


def _indexed_repeat(node: FunctionCall) -> Compiled:
    """``indexed-repeat(${field}, ${repeat}, n, …)``; the parser checked the references."""
    implementation = FUNCTIONS[node.name].implementation
    field = node.arguments[0].name  # type: ignore[union-attr]
    repeats = [argument.name for argument in node.arguments[1::2]]  # type: ignore[union-attr]
    indexes = [_compile(argument)[0] for argument in node.arguments[2::2]]

    def indexed(context: Any) -> Value:
        pairs = [(repeat, index(context)) for repeat, index in zip(repeats, indexes, strict=True)]
        return implementation(context, field, pairs)

    return indexed
