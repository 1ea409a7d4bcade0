"""A precedence-climbing parser from tokens to the syntax tree of `nodes`.

Recursion is bounded: every parenthesis, argument list, unary minus and step to a
tighter operator counts one level, and more than `MAX_DEPTH` levels is a syntax error
rather than a ``RecursionError``.
"""

from __future__ import annotations

from .errors import ExpressionError, ExpressionSyntaxError
from .functions import FUNCTIONS
from .lexer import FIELD_NAME, OPERATOR_NAMES, Kind, Token, tokenize
from .nodes import (
    LEVEL_OF,
    Current,
    FunctionCall,
    Negate,
    Node,
    NumberLiteral,
    Operation,
    Reference,
    StringLiteral,
)
from .odk_functions import DIGESTS, REFUSED
from .regexes import compile_pattern

MAX_DEPTH = 100
_OPERAND_STARTS = frozenset(
    {Kind.NUMBER, Kind.STRING, Kind.REFERENCE, Kind.DOT, Kind.NAME, Kind.LPAREN}
)


def parse_tree(text: str) -> Node:
    """Parse `text` into a syntax tree.

    :raise ExpressionSyntaxError: with the offset of the offending token.
    """
    if not text.strip(" \t\r\n"):
        raise ExpressionSyntaxError("Empty expression", 0)
    return _Parser(tokenize(text)).parse()


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.index = 0
        self.depth = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def parse(self) -> Node:
        node = self.binary(0)
        token = self.token
        if token.kind is not Kind.END:
            raise self.unexpected(token, None)
        return node

    def unexpected(self, token: Token, expected: str | None) -> ExpressionSyntaxError:
        """The error for `token` where an operator or `expected` (None: the end) should be."""
        found = token.describe()
        if token.kind is Kind.END:
            message = f"Expected {expected}"
        elif token.kind in _OPERAND_STARTS:
            message = f"Expected an operator{f' or {expected}' if expected else ''}, found {found}"
            if token.kind is Kind.NAME and token.value.lower() in OPERATOR_NAMES:
                message += f"; write '{token.value.lower()}' in lowercase"
        elif expected:
            message = f"Expected {expected}, found {found}"
        else:
            message = f"Unexpected {found}"
        return ExpressionSyntaxError(message, token.position)

    def enter(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionSyntaxError(
                f"Expression is nested too deeply (more than {MAX_DEPTH} levels)", token.position
            )

    def operator_level(self) -> int | None:
        token = self.token
        return LEVEL_OF[token.value] if token.kind is Kind.OPERATOR else None

    def binary(self, min_level: int) -> Node:
        """Operators of `min_level` and tighter; one level flattened into one `Operation`."""
        self.enter(self.token)
        left = self.unary()
        while (level := self.operator_level()) is not None and level >= min_level:
            operands, operators = [left], []
            while self.operator_level() == level:
                operators.append(self.token.value)
                self.index += 1
                operands.append(self.binary(level + 1))
            left = Operation(tuple(operands), tuple(operators), operands[0].position)
        self.depth -= 1
        return left

    def unary(self) -> Node:
        minuses: list[Token] = []
        while self.token.kind is Kind.OPERATOR and self.token.value == "-":
            self.enter(self.token)
            minuses.append(self.token)
            self.index += 1
        node = self.primary()
        for minus in reversed(minuses):
            node = Negate(node, minus.position)
        self.depth -= len(minuses)
        return node

    def primary(self) -> Node:
        token = self.token
        self.index += 1
        if token.kind is Kind.NUMBER:
            return NumberLiteral(float(token.value), token.position)
        if token.kind is Kind.STRING:
            return StringLiteral(token.value, token.position)
        if token.kind is Kind.REFERENCE:
            return Reference(token.value, token.position)
        if token.kind is Kind.DOT:
            return Current(token.position)
        if token.kind is Kind.LPAREN:
            node = self.binary(0)
            self.expect(Kind.RPAREN, "')'")
            return node
        if token.kind is Kind.NAME:
            return self.call(token)
        if token.kind is Kind.END:
            raise ExpressionSyntaxError("Unexpected end of expression", token.position)
        raise ExpressionSyntaxError(f"Expected a value, found {token.describe()}", token.position)

    def expect(self, kind: Kind, expected: str) -> None:
        token = self.token
        if token.kind is not kind:
            raise self.unexpected(token, expected)
        self.index += 1

    def call(self, name: Token) -> FunctionCall:
        if self.token.kind is not Kind.LPAREN:
            raise ExpressionSyntaxError(
                f"Unexpected name '{name.value}'; quote text ('{name.value}') "
                f"or refer to a field (${{{name.value}}})",
                name.position,
            )
        function = FUNCTIONS.get(name.value)
        if function is None:
            if name.value in REFUSED:
                raise ExpressionSyntaxError(
                    f"Function '{name.value}' is not supported in call scripts: "
                    f"{REFUSED[name.value]}",
                    name.position,
                )
            raise ExpressionSyntaxError(f"Unknown function '{name.value}'", name.position)
        self.index += 1  # "(": each argument's binary() counts the level
        if name.value == "position" and self.token.kind is Kind.PARENT:
            # position(..): the number of the repeat instance; '..' means nothing else here.
            self.index += 1
            self.expect(Kind.RPAREN, "')'")
            return FunctionCall(name.value, (), name.position)
        arguments: list[Node] = []
        if self.token.kind is not Kind.RPAREN:
            arguments.append(self.binary(0))
            while self.token.kind is Kind.COMMA:
                self.index += 1
                arguments.append(self.binary(0))
        self.expect(Kind.RPAREN, "',' or ')'")
        problem = function.arity_problem(len(arguments))
        if problem:
            raise ExpressionSyntaxError(problem, name.position)
        node = FunctionCall(name.value, tuple(arguments), name.position)
        check_literal_arguments(node)
        return node


def check_literal_arguments(call: FunctionCall) -> None:
    """Check at parse time what must be a literal or can be checked when it is one.

    :raise ExpressionSyntaxError: for a bad ``regex()`` pattern or ``jr:choice-name()`` field.
    """
    if call.name == "jr:choice-name":
        field = call.arguments[1]
        if not (isinstance(field, StringLiteral) and choice_field(field.value)):
            raise ExpressionSyntaxError(
                "The second argument of jr:choice-name() must be a quoted field: '${name}'",
                field.position,
            )
    elif call.name == "indexed-repeat":
        names = (call.arguments[0], *call.arguments[1::2])
        bad = next((node for node in names if not isinstance(node, Reference)), None)
        if bad is not None or len(call.arguments) % 2 == 0:
            raise ExpressionSyntaxError(
                "Write indexed-repeat(${field}, ${repeat}, number[, ${inner_repeat}, number])",
                bad.position if bad is not None else call.position,
            )
    elif call.name == "digest" and isinstance(call.arguments[1], StringLiteral):
        algorithm = call.arguments[1]
        if algorithm.value.upper() not in DIGESTS:
            raise ExpressionSyntaxError(
                f"digest() knows {', '.join(DIGESTS)}, not {algorithm.value!r}", algorithm.position
            )
    elif call.name == "regex" and isinstance(call.arguments[1], StringLiteral):
        pattern = call.arguments[1]
        try:
            compile_pattern(pattern.value)
        except ExpressionError as error:
            raise ExpressionSyntaxError(error.message, pattern.position) from None


def choice_field(literal: str) -> str | None:
    """The field name in a ``jr:choice-name`` literal such as ``'${symptoms}'``, or None."""
    text = literal.strip(" \t\r\n")
    if text.startswith("${") and text.endswith("}") and FIELD_NAME.fullmatch(text[2:-1]):
        return text[2:-1]
    return None
