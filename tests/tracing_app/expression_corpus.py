"""The shared corpus of the two expression evaluators (server: Python, browser: JavaScript).

Every case is an expression, the answers it reads and the value the server's evaluator
gives; ``test_expression_corpus.py`` checks that both evaluators give exactly that. Run
``python -m tests.tracing_app.expression_corpus`` after a deliberate change of the
language to write ``expression_corpus.json`` again (review the diff).
"""

from __future__ import annotations

import datetime
import itertools
import json
import math
from pathlib import Path

from tracing_app.scripts.expressions import ExpressionError, ExpressionSyntaxError, parse

CORPUS = Path(__file__).with_name("expression_corpus.json")
TODAY = datetime.date(2026, 12, 7)
NOW = datetime.datetime(2026, 12, 7, 10, 30, tzinfo=datetime.UTC)
#: Functions the browser leaves to the server (tracing_app/scripts/static/scripts/expressions.js).
SERVER_ONLY = (
    "regex", "jr:choice-name", "indexed-repeat", "count(", "count-non-empty", "sum(", "max(",
    "min(", "join(", "format-date", "decimal-date-time", "decimal-time", "date-time(",
    "digest", "uuid", "once(", "position(", "now(",
)  # fmt: skip

ANSWER_SETS = {
    "empty": {},
    "adult": {"age": "42", "name": "Griet Peeters", "consent": "yes", "symptoms": "fever cough",
              "birth": "1984-02-29", "onset": "2026-12-01", "arrival": "08:30", "leave": "17:05:30",
              "score": "7.5", "nn": "85073003328", "lang": "nl"},
    "child": {"age": "9", "name": " Ann  ", "consent": "no", "symptoms": "", "birth": "2017-06-30",
              "onset": "", "arrival": "23:59", "leave": "00:00", "score": "-0.5", "nn": "",
              "lang": "fr"},
    "odd": {"age": "abc", "name": "Ünïcødé 🙂", "consent": "", "symptoms": "other  fever",
            "birth": "2024-02-30", "onset": "2026-12-07T23:30:00+02:00", "arrival": "24:00",
            "leave": "12:60", "score": " 12 ", "nn": "1e5", "lang": "de"},
}  # fmt: skip

# Expressions over the answers above; each runs against every answer set.
OVER_ANSWERS = [
    "${age}", "${age} >= 18", "${age} = 42", "${age} = '42'", "${age} != 9", "${age} < ${score}",
    "${age} + ${score}", "${age} * 2", "${age} div 4", "${age} mod 5", "-${age}", "--${age}",
    "${consent} = 'yes'", "${consent} = 'yes' and ${age} >= 18", "${consent} = 'no' or ${age} < 12",
    "not(${consent})", "${consent} != ''", "boolean(${consent})", "string-length(${name})",
    "normalize-space(${name})", "concat(${name}, ' (', ${age}, ')')", "substr(${name}, 0, 5)",
    "substr(${name}, -3)", "contains(${name}, 'Peet')", "starts-with(${name}, 'G')",
    "ends-with(${name}, 's')", "selected(${symptoms}, 'fever')", "selected(${symptoms}, ' cough ')",
    "count-selected(${symptoms})", "selected-at(${symptoms}, 1)", "selected-at(${symptoms}, 5)",
    "today() - ${birth}", "int((today() - ${birth}) div 365.25)", "${onset} <= today()",
    "date(${onset})", "date(${onset} + 14)", "${birth} < '2000-01-01'", "number(${birth})",
    "${arrival} < ${leave}", "${arrival} = '08:30'", "${leave} > '12:00'", "number(${score})",
    "round(${score})", "round(${score} * 3, 1)", "if(${age} >= 18, 'adult', 'child')",
    "if(${consent} = 'yes', ${age}, 'none')", "coalesce(${onset}, 'unknown')",
    "coalesce(${symptoms}, ${consent})", "${nn} = '85073003328'", "string-length(${nn}) = 11",
    "translate(${name}, 'ae', 'AE')", "substring-before(${name}, ' ')",
    "substring-after(${name}, ' ')", "boolean-from-string(${consent})",
    "${lang} = 'nl' or ${lang} = 'fr'",
    "${age} > 17 and ${age} < 65", "abs(${score})", "floor(${score})", "ceiling(${score})",
    "pow(${age}, 2)", "sqrt(${age})", ". = ''", "string(.)", ". >= 18",
    "regex(${nn}, '^[0-9]{11}$')",
    "count(${symptoms})", "now() != ''", "jr:choice-name(${lang}, '${lang}')",
]  # fmt: skip

# Literal-only cases: XPath 1.0 edge cases of numbers, strings, booleans and dates.
LITERALS = [
    "1 + 2 * 3", "(1 + 2) * 3", "10 - 4 - 3", "2 * 3 div 4", "7 mod 3", "-7 mod 3", "7 mod -3",
    "5.5 mod 2", "1 div 0", "-1 div 0", "0 div 0", "1 mod 0", "1 div 3", "2 div 3",
    "0.1 + 0.2", "1.0", "1.50", ".5", "5.", "-0", "0 - 0", "-(1 div 0)", "1 = 1.0",
    "'1' = 1", "'1.0' = 1", "'abc' = 'abc'", "'abc' != 'ABC'", "'' = 0", "' 1 ' = 1",
    "true() = 'false'", "false() = ''", "true() = 1", "false() = 0", "true() + true()",
    "1 < 2 < 3", "3 > 2 > 1", "1 = 1 = 1", "2 = 2 = 2", "'b' > 'a'", "'10' > '9'",
    "'a' < 1", "number('abc')", "number('')", "number(' 12 ')", "number('-3.5')",
    "number('+3')", "number('1e3')", "number('.5')", "number('5.')", "number(true())",
    "string(1 div 0)", "string(0 div 0)", "string(-1 div 0)", "string(1.5)", "string(-0.0)",
    "string(100)", "string(1 div 3)", "string(123456789012345678)", "string(0.0000001)",
    "string(0.1 * 3)", "string(true())", "string(false())", "boolean(0)", "boolean(0 div 0)",
    "boolean('0')", "boolean(' ')", "boolean(-1)", "not(0)", "not('')", "not('false')",
    "round(2.5)", "round(-2.5)", "round(1.005, 2)", "round(2.675, 2)", "round(1234.5678, -2)",
    "round(0.5)", "round(-0.5)", "round(1 div 0)", "round(0 div 0)", "round(1.45, 1)",
    "round(15, -1)", "round(14.999, 0)", "int(3.9)", "int(-3.9)", "int(1 div 0)", "int('x')",
    "floor(-1.5)", "ceiling(-1.5)", "floor(2)", "abs(-0)", "sqrt(-1)", "sqrt(16)", "pow(2, 10)",
    "pow(2, -1)", "pow(0, -1)", "pow(-8, 1 div 3)", "log(0)", "log(-1)", "log10(1000)",
    "exp(0)", "pi() > 3.14", "atan2(1, 1) * 4", "sin(0)", "cos(0)",
    "string-length('')", "string-length('héllo')", "string-length('🙂🙂')", "substr('hello', 1)",
    "substr('hello', 1, 3)", "substr('hello', -2)", "substr('hello', 2, -1)", "substr('hello', 10)",
    "substr('hello', 0, 100)", "substr('hello', 0 div 0)", "substr('🙂ab', 1)",
    "concat('a')", "concat('a', 1, true(), 2.5)", "concat('', '')", "contains('', '')",
    "starts-with('abc', '')", "ends-with('abc', 'bc')", "translate('bar', 'abc', 'ABC')",
    "translate('--aaa--', 'abc-', 'ABC')", "translate('abc', 'aa', 'xy')",
    "normalize-space('  a   b  ')", "normalize-space('')", "substring-before('1999/04/01', '/')",
    "substring-after('1999/04/01', '/')", "substring-after('abc', '')",
    "substring-before('abc', '')",
    "substring-before('abc', 'x')", "selected('a b c', 'b')", "selected('a b c', 'd')",
    "selected('', '')", "count-selected('')", "count-selected(' a  b ')", "selected-at('a b', 0)",
    "selected-at('a b', -1)", "selected-at('a b', 0.9)", "boolean-from-string('true')",
    "boolean-from-string('1')", "boolean-from-string('yes')", "coalesce('', '')",
    "coalesce('', 'b')", "coalesce(0, 1)", "if(1, 'y', 'n')", "if('', 'y', 'n')",
    "if(0 div 0, 'y', 'n')", "if(true(), 1, 'n') + 1",
    "date('2024-02-29')", "date('2023-02-29')", "date('2024-13-01')", "date(0)", "date(-1)",
    "date(0.99)", "date(19797.75)", "date(1 div 0)", "date('abc')", "date('2024-03-15T10:00:00')",
    "date('2024-03-15T23:30:00-02:00')", "date(true())", "date(3000000)",
    "number('2024-03-15')", "number('1970-01-01')", "number('1969-12-31')",
    "number('2024-03-15T12:00')", "number('2024-03-15T12:00:00Z')",
    "number('2024-03-15T12:00:00+01:00')", "number('2024-03-15T12:00:00.250-0130')",
    "number('2024-03-15T25:00')", "number('2024-3-15')", "number('0001-01-01')",
    "number('9999-12-31')", "'2024-03-15' < '2024-03-16'", "'2024-03-15' = 19797",
    "'2024-03-15' + 1", "'10:00' < '9:00'", "'10:00' < '09:00'", "'10:00:00' = '10:00'",
    "'23:59:59.5' > '23:59:59'", "'12:00Z' < '12:01+02:00'", "'25:00' > '01:00'",
    "today()", "today() = '2026-12-07'", "today() - 1", "date(today() + 1)",
    "today() > '2026-01-01'",
    "1 and 0", "1 or 0", "0 or ''", "'a' and 'b'", "not(1 and 0) or 0",
    "1 + 2 = 3 and 4 > 3", "1 = 1 or 1 div 0", "2 + -3", "- - 3", "-'4'",
    "3 - -3", "10 div 2 * 5", "10 mod 4 mod 3", "1 - 2 + 3",
    "1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9 + 10", "2 * 2 * 2 * 2 * 2 * 2 * 2 * 2 * 2 * 2",
    "1 = 1 and 2 = 2 and 3 = 3 and 4 = 4 and 5 = 6", "0 or 0 or 0 or 0 or 1",
    "'x' = 'x' = true()", "'a' != 'b' != false()",
]  # fmt: skip

# Not valid expressions: both evaluators refuse them.
SYNTAX_ERRORS = [
    "", "   ", "1 +", "(1", "1)", "1 == 1", "1 = = 1", "${age", "${}", "$age", "${1a}",
    "'open", "1.2.3", "1e5", "12abc", "* 2", "1 * * 2", "foo(1)", "concat()", "if(1, 2)",
    "not(1, 2)", "true(1)", "round()", "round(1, 2, 3)", "substr('a')", "a", "1 and", "and 1",
    "1 AND 1", "1 ! 2", "1 & 2", "1 | 2", "1 / 2", "../x", "position(.)", "1,2",
    "jr:choice-name(1, 2)", "jr:choice-name(${a}, '${}')", "coalesce(1)", "digest('a', 'SHA-3')",
    "indexed-repeat(1, ${r}, 1)", "()", "(())", "${a}${b}", "'a' 'b'", "1 2", "pulldata('a')",
    "-", "1 -", "div 2", "mod(1, 2)", "1 ≤ 2", "\u00a01", "‘a’",
]  # fmt: skip


class CorpusContext:
    """The answers of a case, the question's own answer and a fixed clock."""

    def __init__(self, values, current=""):
        self.values = values
        self.current_value = current

    def value(self, name):
        return self.values.get(name, "")

    def current(self):
        return self.current_value

    def choice_label(self, name, value):
        return value

    def today(self):
        return TODAY

    def now(self):
        return NOW


def encode(value) -> dict:
    """A value as JSON: its type, and numbers as text when not finite."""
    if isinstance(value, bool):
        return {"type": "boolean", "value": value}
    if isinstance(value, float):
        if math.isfinite(value):
            return {"type": "number", "value": value}
        return {"type": "number", "value": "NaN" if value != value else str(value)}
    return {"type": "string", "value": value}


def evaluate(text: str, answers: dict, current: str) -> dict:
    """The server's result of one case."""
    try:
        expression = parse(text)
    except ExpressionSyntaxError:
        return {"type": "syntax-error"}
    try:
        return encode(expression.evaluate(CorpusContext(answers, current)))
    except ExpressionError:
        return {"type": "error"}


def cases() -> list[dict]:
    """Every case of the corpus, with the server's result."""
    built = []
    for text, (set_name, answers) in itertools.product(OVER_ANSWERS, ANSWER_SETS.items()):
        current = answers.get("age", "")
        built.append({"expression": text, "answers": set_name, "current": current})
    built += [{"expression": text, "answers": "empty", "current": ""} for text in LITERALS]
    built += [{"expression": text, "answers": "empty", "current": ""} for text in SYNTAX_ERRORS]
    for case in built:
        case["server_only"] = any(name in case["expression"] for name in SERVER_ONLY)
        case["expected"] = evaluate(
            case["expression"], ANSWER_SETS[case["answers"]], case["current"]
        )
    return built


def write() -> None:
    """Write the corpus file from the server's evaluator."""
    document = {
        "today": TODAY.isoformat(),
        "now": NOW.isoformat(timespec="milliseconds"),
        "answer_sets": ANSWER_SETS,
        "cases": cases(),
    }
    CORPUS.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write()
