"""The expression language: values, syntax errors, guards and properties (hypothesis)."""

from __future__ import annotations

import ast
import datetime
import math
import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tracing_app.scripts import expressions
from tracing_app.scripts.expressions import (
    EvaluationContext,
    Expression,
    ExpressionError,
    ExpressionSyntaxError,
    parse,
    unparse,
)
from tracing_app.scripts.expressions.functions import FUNCTIONS
from tracing_app.scripts.expressions.nodes import (
    LEVELS,
    Current,
    FunctionCall,
    Negate,
    Node,
    NumberLiteral,
    Operation,
    Reference,
    StringLiteral,
    children,
)
from tracing_app.scripts.expressions.regexes import has_nested_repetition

NAN = math.nan
INF = math.inf

# No .hypothesis/ folder, the same examples on every run, and a suite that stays fast.
PROPERTIES = settings(
    database=None,
    derandomize=True,
    max_examples=300,
    deadline=1000,
    suppress_health_check=[HealthCheck.too_slow],
)


class DictContext:
    """A tiny evaluation context backed by dictionaries."""

    def __init__(self, values=None, *, current="", labels=None):
        self.values = values or {}
        self.current_value = current
        self.labels = labels or {}

    def value(self, name):
        return self.values.get(name, "")

    def current(self):
        return self.current_value

    def choice_label(self, name, value):
        return self.labels.get((name, value), value)

    def today(self):
        return datetime.date(2024, 3, 15)

    def now(self):
        return datetime.datetime(
            2024, 3, 15, 10, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=1))
        )


CONTEXT = DictContext(
    {
        "consent": "yes",
        "age": "42",
        "empty": "",
        "symptoms": "fever cough",
        "birth_date": "2000-01-01",
        "onset": "2024-03-01",
        "test_date": "2024-03-15",
        "start": "08:30",
        "end": "17:00",
        "seen": "2024-03-15T06:00:00Z",
        "padded": " 12 ",
        "sex": "f",
        "text": "Hello world",
        "pattern": "(a+)+$",
    },
    current="abc123",
    labels={("sex", "f"): "Female", ("symptoms", "fever cough"): "Fever, cough"},
)

VALUES = [
    # every operator
    ("1 + 2", 3.0),
    ("5 - 7", -2.0),
    ("3 * 4", 12.0),
    ("7 div 2", 3.5),
    ("7 mod 3", 1.0),
    ("-5 mod 3", -2.0),
    ("5 mod -3", 2.0),
    ("5.5 mod 2", 1.5),
    ("-3", -3.0),
    ("1 = 1", True),
    ("1 != 1", False),
    ("1 < 2", True),
    ("2 <= 2", True),
    ("3 > 2", True),
    ("2 >= 3", False),
    ("1 and 0", False),
    ("0 or 'x'", True),
    # precedence and associativity
    ("1 - 2 - 3", -4.0),
    ("8 div 2 div 2", 2.0),
    ("2 * 3 mod 4", 2.0),
    ("2 + 3 * 4", 14.0),
    ("(2 + 3) * 4", 20.0),
    ("10 - 2 * 3", 4.0),
    ("1 - (2 - 3)", 2.0),
    ("-2 * 3", -6.0),
    ("- -2", 2.0),
    ("-(1 + 2)", -3.0),
    ("2 - -2", 4.0),
    ("1 + 2 = 3", True),
    ("1 < 2 = true()", True),
    ("3 > 2 > 1", False),
    ("1 < 2 < 3", True),
    ("true() or false() and false()", True),
    ("(true() or false()) and false()", False),
    ("1 = 1 and 2 = 3", False),
    ("1 and 1 and 1 and 1 and 1 and 0", False),
    ("0 or 0 or 0 or 0 or 0 or 2", True),
    ("1 + 1 + 1 + 1 + 1 + 1 + 1 - 1", 6.0),
    ("1 = 1 = 1 = 1 = 1 = 1", True),
    # strings, numbers and booleans compared
    ("'abc' = 'abc'", True),
    ("'abc' != 'abd'", True),
    ("'10' > '9'", True),
    ("'10' = '10.0'", False),
    ("1 = '1.0'", True),
    ("'abc' < 'abd'", False),
    ("true() = 'false'", True),
    ("false() = ''", True),
    ("true() = 2", True),
    ("false() = 0", True),
    ("true() > 0", True),
    ("${consent} = 'yes'", True),
    ("'yes' = ${consent}", True),
    ("${age} = 42", True),
    ("${age} = '42.0'", False),
    ("${age} > 18", True),
    ("${age} + 1", 43.0),
    ("${padded} + 0", 12.0),
    (". = 'abc123'", True),
    # empty answers and NaN (XPath 1.0)
    ("${empty} = 18", False),
    ("${empty} != 18", True),
    ("${empty} = ''", True),
    ("${missing} = ''", True),
    ("${empty} < 18", False),
    ("${empty} >= 18", False),
    ("${empty} = 0", False),
    ("${empty} + 1", NAN),
    ("string(${empty} + 1)", "NaN"),
    ("${empty} and true()", False),
    ("0 div 0", NAN),
    ("0 div 0 = 0 div 0", False),
    ("0 div 0 != 0 div 0", True),
    ("1 div 0", INF),
    ("-1 div 0", -INF),
    ("1 div -0", -INF),
    ("5 mod 0", NAN),
    ("string(1 div 0)", "Infinity"),
    ("string(-1 div 0)", "-Infinity"),
    # conversions
    ("number('')", NAN),
    ("number('12')", 12.0),
    ("number(' 12 ')", 12.0),
    ("number('abc')", NAN),
    ("number('1e3')", NAN),
    ("number('+3')", NAN),
    ("number('-3.5')", -3.5),
    ("number('.5')", 0.5),
    ("number(true())", 1.0),
    ("string(12)", "12"),
    ("string(12.5)", "12.5"),
    ("string(-0)", "0"),
    ("string(0.1 + 0.2)", "0.30000000000000004"),
    ("string(100000000000000000000)", "100000000000000000000"),
    ("string(0.000001)", "0.000001"),
    ("string(true())", "true"),
    ("string(1 = 2)", "false"),
    ("boolean('')", False),
    ("boolean('false')", True),
    ("boolean(0)", False),
    ("boolean(-1)", True),
    ("boolean(0 div 0)", False),
    # functions
    ("if(${age} > 18, 'adult', 'minor')", "adult"),
    ("if('', 1, 2)", 2.0),
    ("selected(${symptoms}, 'fever')", True),
    ("selected(${symptoms}, 'fev')", False),
    ("selected(${symptoms}, ' cough ')", True),
    ("selected(${empty}, 'fever')", False),
    ("count-selected(${symptoms})", 2.0),
    ("count-selected(${empty})", 0.0),
    ("coalesce(${empty}, 'none')", "none"),
    ("coalesce(${consent}, 'none')", "yes"),
    ("coalesce(${empty}, 3)", 3.0),
    ("concat('a', 1, true(), ${age})", "a1true42"),
    ("concat(2 div 4)", "0.5"),
    ("regex(., '[0-9]+')", True),
    ("regex(., '^[0-9]+$')", False),
    ("regex(${empty}, '^$')", True),
    ("regex('١٢', '\\d')", False),
    ("string-length(${text})", 11.0),
    ("string-length('')", 0.0),
    ("substr('abcdef', 1, 3)", "bc"),
    ("substr('abcdef', 2)", "cdef"),
    ("substr('abcdef', -2)", "ef"),
    ("substr('abcdef', 0, -1)", "abcde"),
    ("substr('abc', 1, 10)", "bc"),
    ("substr('abc', 2, 1)", ""),
    ("substr(${empty}, 0, 2)", ""),
    ("contains(${text}, 'lo w')", True),
    ("contains(${text}, 'xyz')", False),
    ("starts-with(${text}, 'Hell')", True),
    ("starts-with(${text}, 'world')", False),
    ("not(${empty})", True),
    ("not(1)", False),
    ("true()", True),
    ("false()", False),
    ("number(${age})", 42.0),
    ("int(3.7)", 3.0),
    ("int(-3.7)", -3.0),
    ("int('12.9')", 12.0),
    ("int('')", NAN),
    ("round(2.5)", 3.0),
    ("round(-2.5)", -3.0),
    ("round(2.4)", 2.0),
    ("round(1.005, 2)", 1.01),
    ("round(1234.5678, -2)", 1200.0),
    ("round('')", NAN),
    ("today()", "2024-03-15"),
    ("now()", "2024-03-15T10:30:00.000+01:00"),
    ("date(0)", "1970-01-01"),
    ("date(19797.9)", "2024-03-15"),
    ("date('2024-03-15T23:30:00+05:00')", "2024-03-15"),
    ("date('nonsense')", ""),
    ("date(${empty})", ""),
    ("jr:choice-name(${sex}, '${sex}')", "Female"),
    ("jr:choice-name(${symptoms}, '${symptoms}')", "Fever, cough"),
    # dates and times
    ("today() - ${birth_date}", 8840.0),
    ("${birth_date} + 0", 10957.0),
    ("${onset} < ${test_date}", True),
    ("${test_date} < ${onset}", False),
    ("${onset} = '2024-03-01'", True),
    ("date(${onset} + 14)", "2024-03-15"),
    ("date(${onset} + 14) = today()", True),
    ("today() - ${onset} > 10", True),
    ("${onset} < '2024-12-31'", True),
    ("${onset} > '2024-02-30'", False),
    ("round((now() - ${seen}) * 24, 6)", 3.5),
    ("${start} < ${end}", True),
    ("${end} <= ${start}", False),
    ("${start} < '09:00'", True),
]


def same(actual, expected):
    """Equal values of the same type, NaN equal to NaN."""
    if type(actual) is not type(expected):
        return False
    if isinstance(expected, float) and math.isnan(expected):
        return math.isnan(actual)
    return actual == expected


@pytest.mark.parametrize(("text", "expected"), VALUES)
def test_value(text, expected):
    actual = parse(text).evaluate(CONTEXT)
    assert same(actual, expected), f"{text} gave {actual!r}, expected {expected!r}"


def test_long_chain_evaluates_without_recursion():
    text = " + ".join(["${age}"] * 1000)
    assert parse(text).evaluate(CONTEXT) == 42.0 * 1000
    assert parse(" = ".join(["1"] * 2000)).evaluate(CONTEXT) is True


def test_expression_attributes():
    text = "${a} = 'x' and (${b} > 3 or jr:choice-name(${b}, '${c}') = ${a})"
    expression = parse(text)
    assert isinstance(expression, Expression)
    assert expression.text == text
    assert expression.references == frozenset({"a", "b", "c"})
    assert parse(text) is expression  # parsed and compiled once
    assert expression.evaluate_boolean(DictContext({"a": "x", "b": "4"})) is True
    assert parse("1 div 4").evaluate_string(CONTEXT) == "0.25"
    assert parse("1 + 2").references == frozenset()


def test_context_protocol_is_structural():
    context: EvaluationContext = DictContext()
    assert parse("today()").evaluate(context) == "2024-03-15"


SYNTAX_ERRORS = [
    ("(1 + 2", 6, "Expected ')'"),
    ("concat('a'", 10, "Expected ',' or ')'"),
    ("(1, 2)", 2, "Expected ')', found ','"),
    ("'abc", 0, "Unclosed string"),
    ("${a} = 'yes", 7, "Unclosed string"),
    ("foo(1)", 0, "Unknown function 'foo'"),
    ("1 + bar(2)", 4, "Unknown function 'bar'"),
    ("${}", 0, "Empty reference"),
    ("$name", 0, "Invalid reference"),
    ("${1a}", 0, "Invalid field name"),
    ("${a b}", 0, "Invalid field name"),
    ("${a", 0, "Unclosed reference"),
    ("1 +", 3, "Unexpected end of expression"),
    ("${a} and", 8, "Unexpected end of expression"),
    ("1 2", 2, "Expected an operator, found '2'"),
    ("${a} ${b}", 5, "Expected an operator"),
    ("1 (2)", 2, "Expected an operator"),
    ("1.2.3", 0, "Invalid number '1.2.3'"),
    ("1e5", 0, "Invalid number"),
    ("yes", 0, "Unexpected name 'yes'"),
    ("${a} = yes", 7, "Unexpected name 'yes'"),
    ("${a} AND ${b}", 5, "lowercase"),
    ("if(1, 2)", 0, "if() takes 3 arguments, not 2"),
    ("today(1)", 0, "today() takes 0 arguments"),
    ("substr('a')", 0, "2 or 3 arguments"),
    ("concat()", 0, "at least 1 argument,"),
    ("not(1, 2)", 0, "1 argument,"),
    ("", 0, "Empty expression"),
    ("   ", 0, "Empty expression"),
    ("()", 1, "Expected a value, found ')'"),
    ("1 + * 2", 4, "Expected a value, found '*'"),
    ("1 + + 2", 4, "Expected a value, found '+'"),
    ("1)", 1, "Unexpected ')'"),
    ("and 1", 0, "Unexpected name 'and'"),
    ("${a} == 1", 5, "use '='"),
    ("${a} / 2", 5, "div"),
    ("${a} # 2", 5, "Unexpected character '#'"),
    ("1 =\u00a02", 3, "U+00A0"),
    ("\u2018yes\u2019", 0, "straight quotes"),
    ("../x", 0, "'..'"),
    ("regex(., '(a+)+$')", 9, "repeats a group"),
    ("regex(., '[')", 9, "Invalid regular expression"),
    ("regex(., '" + "a" * 501 + "')", 9, "longer than 500"),
    ("jr:choice-name(${a}, 'a')", 21, "quoted field"),
    ("jr:choice-name(${a}, ${a})", 21, "quoted field"),
]


@pytest.mark.parametrize(("text", "position", "message"), SYNTAX_ERRORS)
def test_syntax_error(text, position, message):
    with pytest.raises(ExpressionSyntaxError) as caught:
        parse(text)
    assert caught.value.position == position
    assert message in caught.value.message
    assert f"at position {position}" in str(caught.value)


def test_syntax_error_rendering():
    with pytest.raises(ExpressionSyntaxError) as caught:
        parse("(1 + 2")
    error = caught.value
    assert isinstance(error, ExpressionError)
    assert str(error) == "Expected ')' at position 6"
    assert error.caret("(1 + 2") == "(1 + 2\n      ^"
    with pytest.raises(ExpressionSyntaxError) as caught:
        parse("$x")
    assert str(caught.value) == "Invalid reference at position 0; write ${name}"


def test_length_guard():
    assert parse("1" + " " * 9999).evaluate(CONTEXT) == 1.0
    with pytest.raises(ExpressionSyntaxError, match="longer than 10000") as caught:
        parse("1" + " " * 10000)
    assert caught.value.position == 10000


@pytest.mark.parametrize(
    "shape",
    [
        lambda n: "(" * n + "1" + ")" * n,
        lambda n: "concat(" * n + "1" + ")" * n,
        lambda n: "if(1, " * n + "1" + ", 2)" * n,
        lambda n: "-" * n + "1",
    ],
    ids=["parentheses", "calls", "if", "minus"],
)
def test_depth_guard(shape):
    # 99 nestings inside the top level are fine and evaluate without RecursionError ...
    assert parse(shape(99)).evaluate(CONTEXT) in (1.0, "1", -1.0)
    # ... one more is a clear syntax error, as is anything far deeper.
    for depth in (100, 900):
        with pytest.raises(ExpressionSyntaxError, match="nested too deeply"):
            parse(shape(depth))


def test_runtime_errors_for_computed_patterns():
    with pytest.raises(ExpressionError, match="repeats a group"):
        parse("regex(., ${pattern})").evaluate(CONTEXT)
    with pytest.raises(ExpressionError, match="Invalid regular expression"):
        parse("regex(., concat('[', ''))").evaluate(CONTEXT)


def test_regex_ignores_overlong_values():
    assert parse("regex(., 'a')").evaluate(DictContext(current="a" * 1000)) is True
    assert parse("regex(., 'a')").evaluate(DictContext(current="a" * 1001)) is False


@pytest.mark.parametrize(
    ("pattern", "risky"),
    [
        ("(a+)+", True),
        ("(a*)*", True),
        (r"(\w+\s?)*$", True),
        ("((ab)*c)+", True),
        ("(a{1,5})+", True),
        ("(?:a+)+", True),
        ("(a+){2,}", True),
        (r"^\d{2}\.\d{2}\.\d{2}-\d{3}\.\d{2}$", False),
        (r"(\d{3}){2}", False),
        ("(ab)+", False),
        ("[(a+)]+", False),
        (r"\(a+\)+", False),
        ("(a|b)*", False),
        ("(a+)?", False),
    ],
)
def test_nested_repetition_heuristic(pattern, risky):
    assert has_nested_repetition(pattern) is risky


def test_unparse_refuses_what_xpath_cannot_write():
    with pytest.raises(ValueError, match="both"):
        unparse(StringLiteral('it\'s "x"'))
    with pytest.raises(ValueError, match="No literal"):
        unparse(NumberLiteral(-1.0))


def test_evaluation_speed():
    # A 300-question form re-evaluates many expressions per change; keep each one cheap.
    expression = parse("${a} = 'yes' and (${b} > 3 or selected(${c}, 'x'))")
    context = DictContext({"a": "yes", "b": "2", "c": "x y"})
    started = time.perf_counter()
    for _ in range(10_000):
        expression.evaluate(context)
    per_evaluation = (time.perf_counter() - started) / 10_000
    assert per_evaluation < 50e-6  # measured about 1 µs; the margin absorbs slow machines


def test_package_never_uses_eval_or_exec():
    forbidden = {"eval", "exec", "compile", "__import__"}
    for path in Path(expressions.__file__).parent.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"(?<![\w.])(eval|exec)\s*\(", source), path.name
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in forbidden, f"{path.name}:{node.lineno}"
            if isinstance(node, ast.Name | ast.Attribute):
                assert getattr(node, "id", getattr(node, "attr", "")) != "builtins"


# ---- property-based tests -------------------------------------------------------------

_FIRST = "abcxyzABZ_"
_REST = _FIRST + "0129.-"
NAMES = st.builds(str.__add__, st.sampled_from(_FIRST), st.text(alphabet=_REST, max_size=6))
STRINGS = st.text(alphabet="ab Z09'\"${}()-.é\n", max_size=8).filter(
    lambda value: not ("'" in value and '"' in value)
)
NUMBERS = st.one_of(
    st.integers(0, 20).map(float),
    st.floats(min_value=0, allow_nan=False, allow_infinity=False),
)
SAFE_PATTERNS = st.sampled_from(["^[0-9]+$", "a|b", r"\d{2}", "(ab)+"])
CALLABLE = sorted(
    name
    for name in FUNCTIONS
    if name not in ("regex", "jr:choice-name", "indexed-repeat", "digest")
)

LEAVES = st.one_of(
    NUMBERS.map(NumberLiteral),
    STRINGS.map(StringLiteral),
    NAMES.map(Reference),
    st.just(Current()),
)


def operations(operands, levels):
    """Operations of one of `levels`, over 2 to 4 of `operands`."""

    def build(level):
        return st.lists(operands, min_size=2, max_size=4).flatmap(
            lambda items: st.lists(
                st.sampled_from(sorted(LEVELS[level])),
                min_size=len(items) - 1,
                max_size=len(items) - 1,
            ).map(lambda ops: Operation(tuple(items), tuple(ops)))
        )

    return st.sampled_from(levels).flatmap(build)


def calls(arguments):
    """Calls to any function with a valid number of arguments."""

    def build(name):
        function = FUNCTIONS[name]
        maximum = function.max_args if function.max_args is not None else 4
        return st.lists(arguments, min_size=function.min_args, max_size=maximum).map(
            lambda items: FunctionCall(name, tuple(items))
        )

    return st.one_of(
        st.sampled_from(CALLABLE).flatmap(build),
        st.builds(
            lambda value, name: FunctionCall(
                "jr:choice-name", (value, StringLiteral(f"${{{name}}}"))
            ),
            arguments,
            NAMES,
        ),
        st.builds(
            lambda field, repeat, index: FunctionCall(
                "indexed-repeat", (Reference(field), Reference(repeat), index)
            ),
            NAMES,
            NAMES,
            arguments,
        ),
        st.builds(
            lambda value, algorithm: FunctionCall("digest", (value, StringLiteral(algorithm))),
            arguments,
            st.sampled_from(["MD5", "sha-256"]),
        ),
        st.builds(
            lambda value, pattern: FunctionCall("regex", (value, pattern)),
            arguments,
            st.one_of(SAFE_PATTERNS.map(StringLiteral), arguments.filter(_not_string_literal)),
        ),
    )


def _not_string_literal(node):
    return not isinstance(node, StringLiteral)


TREES = st.recursive(
    LEAVES,
    lambda inner: st.one_of(inner.map(Negate), operations(inner, range(len(LEVELS))), calls(inner)),
    max_leaves=12,
)
ARITHMETIC = st.recursive(
    NUMBERS.map(NumberLiteral),
    lambda inner: st.one_of(inner.map(Negate), operations(inner, [4, 5])),
    max_leaves=10,
)


class VariedContext(DictContext):
    """Answers of every shape, whatever the field name."""

    ANSWERS = ("", "3", "2024-01-31", "fever cough", "08:00", "-1.5", "2024-01-31T10:00:00Z")

    def value(self, name):
        return self.ANSWERS[len(name) % len(self.ANSWERS)]


VARIED = VariedContext(current="12")


def depth(node: Node) -> int:
    """The height of a tree."""
    return 1 + max((depth(child) for child in children(node)), default=0)


@PROPERTIES
@given(TREES)
def test_round_trip_and_evaluation(tree):
    assume(depth(tree) < 40)
    text = unparse(tree)
    expression = parse(text)
    assert expression.tree == tree, text
    try:
        value = expression.evaluate(VARIED)
    except ExpressionError:
        return  # a computed regex() pattern may be refused
    assert isinstance(value, str | float | bool)


def parse_or_error(text):
    """The expression, or the syntax error (any other exception propagates)."""
    try:
        return parse(text)
    except ExpressionSyntaxError as error:
        return error


@PROPERTIES
@given(st.text(max_size=120))
def test_parse_raises_only_syntax_errors_on_any_text(text):
    result = parse_or_error(text)
    if isinstance(result, ExpressionSyntaxError):
        assert 0 <= result.position <= len(text)


TOKENS = st.sampled_from(
    [
        *("${a}", "${b}", ".", "1", "2.5", ".5", "'x'", '""', "'${a}'", "'2024-01-31'", "'08:00'"),
        *("(", ")", ",", "and", "or", "div", "mod", "=", "!=", "<", "<=", ">", ">=", "+", "-", "*"),
        *("if", "selected", "concat", "regex", "substr", "round", "date", "today"),
        *("jr:choice-name", "$", "{", "}", "'", "/", "[", "AND", "x"),
    ]
)


@PROPERTIES
@given(st.lists(TOKENS, max_size=25).map(" ".join), st.sampled_from(["", "2024-02-01", "7"]))
def test_token_soup_fails_only_with_expression_errors(text, answer):
    result = parse_or_error(text)
    if isinstance(result, ExpressionSyntaxError):
        assert 0 <= result.position <= len(text)
        return
    context = DictContext({"a": answer, "b": "x y"}, current=answer)
    try:
        value = result.evaluate(context)
    except ExpressionError:
        return  # a computed regex() pattern may be refused
    assert isinstance(value, str | float | bool)


def _divide(left, right):
    try:
        return left / right
    except ZeroDivisionError:
        if left == 0 or math.isnan(left):
            return NAN
        return math.copysign(INF, left) * math.copysign(1.0, right)


def _modulo(left, right):
    try:
        return math.fmod(left, right)
    except ValueError:  # x mod 0, Infinity mod x
        return NAN


PYTHON = {
    "+": lambda left, right: left + right,
    "-": lambda left, right: left - right,
    "*": lambda left, right: left * right,
    "div": _divide,
    "mod": _modulo,
}


def python_value(node):
    """The reference result, with Python floats."""
    if isinstance(node, NumberLiteral):
        return node.value
    if isinstance(node, Negate):
        return -python_value(node.operand)
    value = python_value(node.operands[0])
    for operator, operand in zip(node.operators, node.operands[1:], strict=True):
        value = PYTHON[operator](value, python_value(operand))
    return value


@PROPERTIES
@given(ARITHMETIC)
def test_arithmetic_matches_python_floats(tree):
    assume(depth(tree) < 40)
    actual = parse(unparse(tree)).evaluate(CONTEXT)
    expected = python_value(tree)
    assert isinstance(actual, float)
    if math.isnan(expected):
        assert math.isnan(actual)
    else:
        assert actual == expected
        assert math.copysign(1.0, actual) == math.copysign(1.0, expected)
