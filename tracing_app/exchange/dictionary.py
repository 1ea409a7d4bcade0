"""The data dictionary: every field of every published script version, as the institute reads it.

Exports key answers by the script's field names with the script version, so this is the
key to reading them: field, type, labels in the site's languages, allowed values,
version. Versions that were published and later retired stay listed, since data
collected with them is still exported.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from sqlalchemy import select

from content.extensions import db
from tracing_app.scripts import operations as scripts
from tracing_app.scripts.definition import (
    CALCULATE,
    GROUP,
    REPEAT,
    SELECT_MULTIPLE,
    SELECT_ONE,
    SITE_LANGUAGES,
    Question,
    ScriptDefinition,
)
from tracing_app.scripts.models import ScriptVersion

#: XLSForm type -> the JSON type of its value in exports
VALUE_TYPES = {
    "text": "string",
    "integer": "integer",
    "decimal": "number",
    "date": "string (date, YYYY-MM-DD)",
    "time": "string (time, HH:MM)",
    "datetime": "string (date-time, ISO 8601)",
    SELECT_ONE: "string (one value)",
    SELECT_MULTIPLE: "array of strings (values)",
    "acknowledge": "string (OK)",
    CALCULATE: "string (computed)",
}


@dataclass(frozen=True)
class AllowedValue:
    """One value a select field may hold, with its labels."""

    value: str
    labels: dict[str, str]


@dataclass(frozen=True)
class FieldEntry:
    """One field of a script version."""

    name: str
    path: str
    type: str
    value_type: str
    labels: dict[str, str]
    required: bool | str
    identifier: str | None
    repeat: str | None
    allowed_values: list[AllowedValue] = field(default_factory=list)


@dataclass(frozen=True)
class VersionEntry:
    """One published (or once published) version of a script and its fields."""

    form_id: str
    version: str
    number: int
    state: str
    title: dict[str, str]
    published_dt: str | None
    fields: list[FieldEntry]


def _labels(texts: dict[str, str]) -> dict[str, str]:
    return {language: texts[language] for language in SITE_LANGUAGES if texts.get(language)}


def _fields(definition: ScriptDefinition) -> list[FieldEntry]:
    entries = []

    def walk(questions: tuple[Question, ...], path: tuple[str, ...], repeat: str | None) -> None:
        for question in questions:
            if question.type in (GROUP, REPEAT):
                inner_repeat = question.name if question.type == REPEAT else repeat
                walk(question.children, (*path, question.name), inner_repeat)
                continue
            if question.type not in VALUE_TYPES:
                continue  # notes carry no value
            choices = definition.choices.get(question.list_name)
            entries.append(
                FieldEntry(
                    name=question.name,
                    path="/".join((*path, question.name)),
                    type=question.type,
                    value_type=VALUE_TYPES[question.type],
                    labels=_labels(question.label),
                    required=question.required,
                    identifier=question.validation,
                    repeat=repeat,
                    allowed_values=[
                        AllowedValue(choice.name, _labels(choice.label))
                        for choice in (choices.choices if choices else ())
                    ],
                )
            )

    walk(definition.questions, (), None)
    return entries


def published_versions() -> list[ScriptVersion]:
    """Versions that were ever published, by form id and number."""
    query = (
        select(ScriptVersion)
        .where(ScriptVersion.published_dt.is_not(None))
        .order_by(ScriptVersion.script_id, ScriptVersion.number)
    )
    return list(db.session.scalars(query))


def version_entry(version: ScriptVersion) -> VersionEntry:
    """Describe one version."""
    definition = scripts.definition(version)
    return VersionEntry(
        form_id=version.script.form_id,
        version=version.version_label,
        number=version.number,
        state=version.state,
        title=_labels(definition.settings.title),
        published_dt=version.published_dt.isoformat() if version.published_dt else None,
        fields=_fields(definition),
    )


def data_dictionary() -> list[VersionEntry]:
    """The whole dictionary."""
    return [version_entry(version) for version in published_versions()]


def as_json(entries: list[VersionEntry]) -> dict:
    """The dictionary as a JSON document."""
    return {"scripts": [asdict(entry) for entry in entries]}
