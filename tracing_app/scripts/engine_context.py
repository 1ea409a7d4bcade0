"""What an expression reads while a form is evaluated: answers by repeat instance, metadata.

`FieldContext` implements ``expressions.EvaluationContext`` for one slot of the form
that ``engine._Evaluation`` evaluates (``form``: its values, keys and repeat scopes).
"""

from __future__ import annotations

import datetime

from tracing_app.scripts.checks import CHOICE_COLUMN_PREFIX
from tracing_app.scripts.definition import END, START, TODAY, USERNAME

MAX_REPEAT_INSTANCES = 50


class FieldContext:
    """The evaluation context of one slot.

    ``${name}`` is the answer in the nearest enclosing repeat instance that has the
    field, then the next one out, up to the top level (XLSForm's relative references).
    """

    def __init__(self, form, prefix: str, current: str = "", filters=None):
        self.form = form
        self.prefix = prefix
        self._current = current
        self._filters = filters or {}

    def value(self, name: str) -> str:
        """``${name}``: the answer in the nearest instance holding the field."""
        if name.startswith(CHOICE_COLUMN_PREFIX):
            return self._filters.get(name.removeprefix(CHOICE_COLUMN_PREFIX), "")
        return self.form.values.get(self.form.resolve(name, self.prefix), "")

    def instance_values(self, name: str) -> list[str]:
        """The answers of ``${name}`` in every instance seen from here (``sum``, ``count``)."""
        return [self.form.values.get(key, "") for key in self.form.instances(name, self.prefix)]

    def instance_position(self) -> int:
        """``position(..)``: the number (from 1) of the repeat instance this slot is in."""
        return self.form.scope_index.get(self.prefix, 0) + 1

    def indexed_value(self, field: str, pairs: list[tuple[str, float]]) -> str:
        """``indexed-repeat(${field}, ${repeat}, n, …)``: the answer in instance n."""
        scope = self.prefix
        for repeat, index in pairs:
            if not (index == index and 1 <= index <= MAX_REPEAT_INSTANCES):
                return ""
            scope = f"{self.form.resolve(repeat, scope)}.{int(index) - 1}."
        return self.form.values.get(self.form.resolve(field, scope), "")

    def current(self) -> str:
        """``.``: the answer being checked."""
        return self._current

    def choice_label(self, name: str, value: str) -> str:
        """The label of choice ``value`` of field ``name``, in the call's language."""
        return self.form.choice_label(name, value)

    def today(self) -> datetime.date:
        """The date ``today()`` returns."""
        return self.form.today

    def now(self) -> datetime.datetime:
        """The moment ``now()`` returns."""
        return self.form.now


def metadata_value(kind: str, form, metadata: dict[str, str]) -> str:
    """The value of an ODK metadata field: start/end of the call, the date, the agent."""
    if kind == START:
        return metadata.get(START) or form.now.isoformat(timespec="seconds")
    if kind == END:
        return metadata.get(END) or form.now.isoformat(timespec="seconds")
    if kind == TODAY:
        return form.today.isoformat()
    if kind == USERNAME:
        return metadata.get(USERNAME, "")
    return ""  # device metadata: a call has none
