"""The project's own parser and evaluator for the XLSForm/ODK XPath expression subset.

``parse(text)`` returns an `Expression` that has been parsed and compiled once into
nested closures (never ``eval``); ``Expression.evaluate(context)`` then returns a
``str``, ``float`` or ``bool``. Syntax and semantics follow XPath 1.0 as ODK Collect
(JavaRosa) and Enketo implement it; docs/scripts.md, "Expression language", lists them.

Deviations from ODK, all deliberate:

* Answers are always strings here (ODK knows each field's type). A comparison therefore
  takes its type from the other operand: ``${age} = 18`` compares numbers,
  ``${age} = '18'`` compares text.
* Any string in ``YYYY-MM-DD`` or ISO date-time form converts to a number of days since
  1970-01-01 (ODK does so for date-typed values), so ``today() - ${birth_date}`` is days
  and ``<``/``>`` between dates compare dates. A date-time without offset counts as UTC.
* ``<``, ``<=``, ``>``, ``>=`` between two ``HH:MM[:SS]`` strings compare the times;
  arithmetic on times is not supported (NaN).
* ``regex()`` uses Python's `re` with ``re.ASCII`` (near Java's syntax, not identical);
  patterns over 500 characters or repeating a group that holds a repetition are
  refused, and values over 1,000 characters never match.
* ``substr()`` clamps an end beyond the string to its length (JavaRosa returns "").
* ``date()`` of something that is not a date or a finite number returns "" instead of
  raising an error; ``string-length()`` counts code points, not UTF-16 units.
* ``concat()`` needs at least one argument; ``coalesce()`` takes exactly two.
* Expressions are at most 10,000 characters and 100 levels deep.
* There are no paths: ``${name}`` names a field, the engine resolves it to the nearest
  repeat instance; ``count``, ``sum``, ``max``, ``min``, ``join`` and
  ``count-non-empty`` read a ``${field}`` argument as all its answers (``odk_functions``).
  ``..`` is read only in ``position(..)``. Functions that need a file, a location or
  randomness (``pulldata``, ``distance``, ``random``…) are refused by name.
"""

from .context import EvaluationContext
from .errors import ExpressionError, ExpressionSyntaxError
from .expression import Expression, parse
from .printer import unparse
from .values import Value, to_boolean, to_number, to_string

__all__ = [
    "EvaluationContext",
    "Expression",
    "ExpressionError",
    "ExpressionSyntaxError",
    "Value",
    "parse",
    "to_boolean",
    "to_number",
    "to_string",
    "unparse",
]
