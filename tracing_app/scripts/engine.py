"""The state of a form for given answers: what is visible, computed, wrong, and what to say.

The server is the authority: the agent's page shows exactly this state, whether it came
with a full page or as JSON after a change. Answers are a flat dict of strings, as ODK
stores them: ``name`` for a question, ``repeat.<i>.name`` inside the i-th instance of a
repeat (``repeat`` itself holds the number of instances), ``select_multiple`` answers as
space-separated choice names.

Evaluation, in rounds: calculations (repeated until none changes, so their order in the
form does not matter), then relevance in form order
(answers of what is not relevant count as empty, as in ODK), twice, so a calculation that
depends on relevance and a relevance that depends on a calculation both settle (the second
relevance pass is skipped when it would read exactly what the first one read); then
required, type and constraint checks for what is visible.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass, field

from content.i18n import _, _l
from tracing_app import identifiers
from tracing_app.scripts.checks import rewrite_choice_filter
from tracing_app.scripts.definition import (
    CALCULATE,
    DATETIME,
    DECIMAL,
    INTEGER,
    NOTE,
    REPEAT,
    SELECT_MULTIPLE,
    SELECT_ONE,
    TIME,
    Question,
    ScriptDefinition,
)
from tracing_app.scripts.engine_context import MAX_REPEAT_INSTANCES, FieldContext, metadata_value
from tracing_app.scripts.expressions import ExpressionError, ExpressionSyntaxError, parse

PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")
_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?")
#: Answers of these types must match a pattern; their messages are translated when shown.
_TYPE_CHECKS = {
    INTEGER: (_INTEGER, _l("Type a whole number.")),
    DECIMAL: (_DECIMAL, _l("Type a number.")),
    TIME: (_TIME, _l("Type a time as HH:MM.")),
}


@dataclass(frozen=True)
class Slot:
    """One place in the filled form: a question, in the top level or in a repeat instance.

    Frozen: the slots of a definition and its repeat counts are kept per process
    (`_layout`) and shared by every evaluation.
    """

    key: str
    question: Question
    prefix: str  # "" at top level, "contacts.0." inside a repeat instance
    parents: tuple[str, ...]  # keys of the groups around it, outermost first


@dataclass
class FormState:
    """Everything the agent's screen shows for the current answers."""

    values: dict[str, str]
    visible: dict[str, bool]
    errors: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    slots: list[Slot] = field(default_factory=list)
    options: dict[str, list] = field(default_factory=dict)
    #: Identifier answers in their one stored form (E.164 phone numbers, 11-digit numbers).
    normalized: dict[str, str] = field(default_factory=dict)
    #: Keys whose only error is a missing required answer: shown when the agent checks or
    #: completes the form, not while they are still on their way to it.
    missing: set[str] = field(default_factory=set)
    #: Labels and hints with ``${field}`` placeholders, filled in (by key).
    labels: dict[str, str] = field(default_factory=dict)
    hints: dict[str, str] = field(default_factory=dict)

    def shown_errors(self, *, include_missing: bool) -> dict[str, str]:
        """Return the errors to show: all, or only wrong answers (not yet missing ones)."""
        if include_missing:
            return self.errors
        return {key: message for key, message in self.errors.items() if key not in self.missing}

    @property
    def complete(self) -> bool:
        """Return whether the form can be closed: no error anywhere visible."""
        return not self.errors

    def section_progress(self, definition: ScriptDefinition) -> tuple[int, int]:
        """Return (sections without errors, visible sections)."""
        visible = [s for s in definition.sections() if self.visible.get(s.name)]
        done = 0
        for section in visible:
            if not self.errors:
                done += 1
                continue
            inside = self._inside(section)
            prefix = section.name + "."
            if not any(
                key == section.name or key.startswith(prefix) or key in inside
                for key in self.errors
            ):
                done += 1
        return done, len(visible)

    def _inside(self, section: Question) -> set[str]:
        # Once per section, not once per error key (the save's page asks for every section).
        return {slot.key for slot in self.slots if section.name in slot.parents}


class _Evaluation:
    """One evaluation of a definition over answers (see `evaluate_form`)."""

    def __init__(self, definition, answers, language, today, now, metadata=None):
        self.definition = definition
        self.language = language
        self.today = today
        self.now = now
        self.answers = answers
        layout = _layout(definition, answers)
        self.layout = layout
        self.slots = layout.slots
        self.keys = layout.keys
        self.keys_by_name = layout.keys_by_name
        self.scope_parent = layout.scope_parent  # "hh.0.member.1." -> "hh.0."
        self.scope_index = layout.scope_index  # "hh.0.member.1." -> 1
        self.values = {key: answers.get(key, "") for key in layout.keys}
        for slot in layout.metadata:
            self.values[slot.key] = metadata_value(slot.question.type, self, metadata or {})
        for slot in layout.decimals:
            # Belgian agents type 38,5: a decimal comma is read as a point.
            if _DECIMAL.fullmatch(self.values[slot.key].strip()):
                self.values[slot.key] = self.values[slot.key].strip().replace(",", ".")
        self.visible: dict[str, bool] = {}
        self.normalized: dict[str, str] = {}

    def text(self, texts: dict[str, str]) -> str:
        return self.definition.text(texts, self.language)

    def resolve(self, name: str, prefix: str) -> str:
        """Return the key ``${name}`` means in the repeat instance ``prefix``."""
        while prefix:
            if prefix + name in self.keys:
                return prefix + name
            prefix = self.scope_parent.get(prefix, "")
        return name

    def instances(self, name: str, prefix: str) -> list[str]:
        """Return the keys of ``${name}`` in every instance under the nearest scope holding one.

        A repeat's own key stands for its instances: ``count(${members})`` counts them.
        """
        keys = self.keys_by_name.get(name, [])
        scope = prefix
        while scope and not any(key.startswith(scope) for key in keys):
            scope = self.scope_parent.get(scope, "")
        found = [key for key in keys if key.startswith(scope)]
        question = self.question(name)
        if question is not None and question.type == REPEAT:
            return [
                f"{key}.{index}."
                for key in found
                for index in range(repeat_count(self.answers, key))
            ]
        return found

    def question(self, name: str) -> Question | None:
        try:
            return self.definition.by_name(name)
        except KeyError:
            return None

    def choice_label(self, name: str, value: str) -> str:
        question = self.question(name)
        choice_list = self.definition.choices.get(question.list_name) if question else None
        for choice in choice_list.choices if choice_list else ():
            if choice.name == value:
                return self.text(choice.label)
        return value

    def calculate(self) -> bool:
        """Compute every calculation until none changes (so their order in the form is free).

        Return whether any value changed.
        """
        calculations = self.layout.calculations
        changed_any = False
        for _pass in range(len(calculations) + 1):
            changed = False
            for slot in calculations:
                # Before the first relevance pass nothing is hidden yet.
                visible = self.visible.get(slot.parents[-1], True) if slot.parents else True
                # once(): the calculation's own value, once it has one, stays.
                context = FieldContext(self, slot.prefix, self.values.get(slot.key, ""))
                result = _evaluate(slot.question.calculation, context, "string")
                value = result if visible and result is not None else ""
                changed |= self.values.get(slot.key) != value
                self.values[slot.key] = value
            changed_any |= changed
            if not changed:
                break
        return changed_any

    def relevance(self) -> bool:
        """Decide what is shown, emptying what is not; return whether an answer was emptied."""
        emptied = False
        for slot in self.slots:
            question = slot.question
            # Groups come before what they hold: the innermost one's visibility already says
            # whether every group around it is shown.
            shown = self.visible[slot.parents[-1]] if slot.parents else True
            if shown and question.relevant:
                shown = bool(
                    _evaluate(question.relevant, FieldContext(self, slot.prefix), "boolean")
                )
            self.visible[slot.key] = shown
            if not shown and question.type != CALCULATE and not question.is_metadata:
                emptied |= self.values[slot.key] != ""
                self.values[slot.key] = ""  # what is not relevant is not answered
        return emptied

    def check(self, slot: Slot) -> str | None:
        """Return the error of a visible input, or None."""
        question, value = slot.question, self.values[slot.key]
        context = FieldContext(self, slot.prefix, value)
        if not value.strip():
            required = question.required
            if isinstance(required, str):
                required = bool(_evaluate(required, context, "boolean"))
            if required:
                message = self.fill_placeholders(self.text(question.required_message), slot.prefix)
                return message or self.required_message
            return None
        error = self.type_error(question, value, slot)
        if error:
            return error
        if question.constraint and not _evaluate(question.constraint, context, "boolean"):
            message = self.fill_placeholders(self.text(question.constraint_message), slot.prefix)
            return message or _("This answer is not allowed.")
        return None

    @functools.cached_property
    def required_message(self) -> str:
        """The message of a missing answer without its own: translated once per evaluation."""
        return _("This answer is required.")

    def type_error(self, question: Question, value: str, slot: Slot) -> str | None:
        kind = question.validation
        if kind is not None:
            normalized, error = identifiers.validate(kind, value, today=self.today)
            if error is None:
                self.normalized[slot.key] = normalized
            return error
        if question.type in _TYPE_CHECKS:
            # The message is translated only when shown: most answers are fine.
            pattern, message = _TYPE_CHECKS[question.type]
            return None if pattern.fullmatch(value.strip()) else str(message)
        if question.type == DATETIME:
            try:
                datetime.datetime.fromisoformat(value.strip())
            except ValueError:
                return _("Type a date and time.")
        if question.type in (SELECT_ONE, SELECT_MULTIPLE):
            allowed = {c.name for c in self.options_of(question, slot.prefix)}
            chosen = value.split() if question.type == SELECT_MULTIPLE else [value]
            if not set(chosen) <= allowed:
                return _("Choose one of the options.")
        return None

    def options_of(self, question: Question, prefix: str) -> list:
        choice_list = self.definition.choices.get(question.list_name)
        choices = list(choice_list.choices) if choice_list else []
        if not question.choice_filter:
            return choices
        columns = frozenset({"name"}).union(*(choice.filters for choice in choices))
        expression, _positions = rewrite_choice_filter(question.choice_filter, columns)
        keep = []
        for choice in choices:
            context = FieldContext(self, prefix, filters={**choice.filters, "name": choice.name})
            if _evaluate(expression, context, "boolean"):
                keep.append(choice)
        return keep

    def fill_placeholders(self, text: str, prefix: str) -> str:
        context = FieldContext(self, prefix)

        def replace(match: re.Match) -> str:
            name = match.group(1)
            value = context.value(name)
            question = self.question(name)
            if question is not None and question.type == SELECT_ONE:
                return self.choice_label(name, value)
            return value

        return PLACEHOLDER.sub(replace, text)


def _evaluate(text: str, context: FieldContext, kind: str):
    """Evaluate an expression; a run-time error counts as false / empty (and never crashes)."""
    try:
        expression = parse(text)
        if kind == "boolean":
            return expression.evaluate_boolean(context)
        return expression.evaluate_string(context)
    except (ExpressionError, ExpressionSyntaxError):  # a published script was checked; be safe
        return False if kind == "boolean" else None


@dataclass(frozen=True)
class _Layout:
    """The slots of a definition for some repeat counts, and what evaluation looks up in them.

    It depends only on the definition (which never changes) and the counts, so it is kept
    per process (`_layout`); it holds no answer.
    """

    slots: list[Slot]
    keys: frozenset[str]
    keys_by_name: dict[str, list[str]]
    scope_parent: dict[str, str]
    scope_index: dict[str, int]
    metadata: tuple[Slot, ...]
    decimals: tuple[Slot, ...]
    calculations: tuple[Slot, ...]
    #: Keys of slots whose label or hint holds a ``${field}`` placeholder in some language.
    templated: frozenset[str]

    @classmethod
    def build(cls, definition: ScriptDefinition, answers: dict[str, str]) -> _Layout:
        slots = list(_slots(definition.questions, "", (), answers))
        keys_by_name: dict[str, list[str]] = {}
        scope_parent: dict[str, str] = {}
        scope_index: dict[str, int] = {}
        for slot in slots:
            keys_by_name.setdefault(slot.question.name, []).append(slot.key)
            if slot.question.type == REPEAT:
                for index in range(repeat_count(answers, slot.key)):
                    scope_parent[f"{slot.key}.{index}."] = slot.prefix
                    scope_index[f"{slot.key}.{index}."] = index
        return cls(
            slots=slots,
            keys=frozenset(slot.key for slot in slots),
            keys_by_name=keys_by_name,
            scope_parent=scope_parent,
            scope_index=scope_index,
            metadata=tuple(
                s for s in slots if s.question.type != REPEAT and s.question.is_metadata
            ),
            decimals=tuple(s for s in slots if s.question.type == DECIMAL),
            calculations=tuple(
                s for s in slots if s.question.type == CALCULATE and s.question.calculation
            ),
            templated=frozenset(
                slot.key
                for slot in slots
                if any(
                    "${" in text
                    for text in (*slot.question.label.values(), *slot.question.hint.values())
                )
            ),
        )


#: Layouts kept per definition: at most this many repeat counts each (then built each time).
MAX_LAYOUTS = 32


def _layout(definition: ScriptDefinition, answers: dict[str, str]) -> _Layout:
    """Return the layout of ``definition`` for the repeat counts of ``answers``, kept."""
    kept = definition.derived.setdefault("engine.layouts", {})
    counts = tuple(_repeat_counts(_repeats(definition), "", answers))
    layout = kept.get(counts)
    if layout is None:
        layout = _Layout.build(definition, answers)
        if len(kept) < MAX_LAYOUTS:
            kept[counts] = layout
    return layout


def _repeats(definition: ScriptDefinition) -> tuple:
    """The definition's repeats as a tree: ``((name, inner repeats), …)``, in form order."""
    tree = definition.derived.get("engine.repeats")
    if tree is None:
        tree = definition.derived["engine.repeats"] = _repeat_tree(definition.questions)
    return tree


def _repeat_tree(questions) -> tuple:
    tree = []
    for question in questions:
        if question.type == REPEAT:
            tree.append((question.name, _repeat_tree(question.children)))
        elif question.children:
            tree.extend(_repeat_tree(question.children))
    return tuple(tree)


def _repeat_counts(tree: tuple, prefix: str, answers: dict[str, str]):
    """Yield the count of each repeat instance's repeats, in form order (the layout's key)."""
    for name, inner in tree:
        key = prefix + name
        count = repeat_count(answers, key)
        yield count
        for index in range(count):
            yield from _repeat_counts(inner, f"{key}.{index}.", answers)


def _slots(questions, prefix, parents, answers):
    for question in questions:
        key = prefix + question.name
        yield Slot(key, question, prefix, parents)
        if question.type == REPEAT:
            count = repeat_count(answers, key)
            for index in range(count):
                yield from _slots(question.children, f"{key}.{index}.", (*parents, key), answers)
        elif question.children:
            yield from _slots(question.children, prefix, (*parents, key), answers)


def repeat_count(answers: dict[str, str], key: str) -> int:
    """Return how many instances of a repeat the answers hold (at least one)."""
    raw = answers.get(key, "1")
    count = int(raw) if raw.isdigit() else 1
    return max(1, min(count, MAX_REPEAT_INSTANCES))


def evaluate_form(
    definition: ScriptDefinition,
    answers: dict[str, str],
    *,
    language: str,
    today: datetime.date,
    now: datetime.datetime | None = None,
    metadata: dict[str, str] | None = None,
) -> FormState:
    """Return the state of the form for these answers, in the call's language.

    :param metadata: what ODK metadata fields hold: ``start`` and ``end`` (ISO date-times
        of the call; default ``now``) and ``username`` (the agent's name).
    """
    now = now or datetime.datetime.combine(today, datetime.time(12))
    form = _Evaluation(definition, answers, language, today, now, metadata)
    form.calculate()
    emptied = form.relevance()
    # The second round settles what the first one changed. When relevance emptied no answer
    # and the calculations keep their values, it would read the same values as the first
    # one did and decide the same: it is skipped.
    if form.calculate() or emptied:
        form.relevance()
    state = FormState(
        values=form.values,
        visible=form.visible,
        slots=list(form.slots),
        normalized=form.normalized,
    )
    templated = form.layout.templated
    for slot in form.slots:
        question = slot.question
        if question.type in (SELECT_ONE, SELECT_MULTIPLE):
            # Also for hidden questions: the page shows them as soon as they become relevant.
            state.options[slot.key] = form.options_of(question, slot.prefix)
        if not form.visible[slot.key]:
            continue
        if question.is_input:
            error = form.check(slot)
            if error:
                state.errors[slot.key] = error
                if not form.values[slot.key].strip():
                    state.missing.add(slot.key)
        if question.type == NOTE:
            state.notes[slot.key] = form.fill_placeholders(form.text(question.label), slot.prefix)
            continue
        if slot.key not in templated:
            continue  # no placeholder in any language
        for texts, filled in ((question.label, state.labels), (question.hint, state.hints)):
            text = form.text(texts)
            if "${" in text:
                filled[slot.key] = form.fill_placeholders(text, slot.prefix)
    return state


def initial_answers(definition: ScriptDefinition, *, today: datetime.date) -> dict[str, str]:
    """Return the answers a new form starts with: the defaults (literal or computed)."""
    now = datetime.datetime.combine(today, datetime.time(12))
    form = _Evaluation(definition, {}, definition.settings.default_language, today, now)
    answers = {}
    for slot in form.slots:
        question = slot.question
        if not question.default:
            continue
        if question.default_is_expression:
            answers[slot.key] = (
                _evaluate(question.default, FieldContext(form, slot.prefix), "string") or ""
            )
        else:
            answers[slot.key] = question.default
        form.values[slot.key] = answers[slot.key]
    return answers


__all__ = ["FormState", "evaluate_form", "initial_answers", "repeat_count"]
