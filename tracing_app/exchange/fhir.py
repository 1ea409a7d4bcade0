"""FHIR: scripts as ``Questionnaire``, filled forms as ``QuestionnaireResponse``.

Built as plain JSON and validated against the FHIR structures of ``fhir.resources``
(its R4B models: the same Questionnaire and QuestionnaireResponse elements as R4 for
everything used here), so an invalid resource fails here rather than at the institute.
Labels are in the script's default language, with the other languages as FHIR
``translation`` extensions. Branching (``relevant``) and checks stay in the script:
FHIR's ``enableWhen`` cannot express them, and the answers sent are those the agent saw.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from flask import url_for
from sqlalchemy import select

from content.extensions import db
from tracing_app.scripts import operations as scripts
from tracing_app.scripts.definition import (
    ACKNOWLEDGE,
    CALCULATE,
    DATE,
    DATETIME,
    DECIMAL,
    GROUP,
    INTEGER,
    NOTE,
    REPEAT,
    SELECT_MULTIPLE,
    SELECT_ONE,
    SITE_LANGUAGES,
    TIME,
    Question,
    ScriptDefinition,
)
from tracing_app.scripts.models import Script, ScriptVersion

TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
ITEM_TYPES = {
    GROUP: "group", REPEAT: "group", NOTE: "display", INTEGER: "integer", DECIMAL: "decimal",
    DATE: "date", TIME: "time", DATETIME: "dateTime", SELECT_ONE: "choice",
    SELECT_MULTIPLE: "choice", ACKNOWLEDGE: "boolean", CALCULATE: "string",
}  # fmt: skip
STATUSES = {"published": "active", "retired": "retired", "draft": "draft"}


class FhirError(ValueError):
    """A resource that does not validate against the FHIR structure."""


def resource_id(text: str) -> str:
    """Return ``text`` as a FHIR id: letters, digits, '-' and '.', at most 64."""
    return re.sub(r"[^A-Za-z0-9.-]", "-", text)[:64]


def canonical_url(form_id: str) -> str:
    """The canonical URL of a script's Questionnaire on this site."""
    return url_for("api.fhir_questionnaire", form_id=form_id, _external=True)


def _text(texts: dict[str, str], default: str) -> tuple[str | None, dict | None]:
    """Return the text in the default language and its translations as a FHIR ``_text``."""
    main = texts.get(default) or next(iter(texts.values()), None)
    others = [
        {
            "url": TRANSLATION,
            "extension": [
                {"url": "lang", "valueCode": language},
                {"url": "content", "valueString": texts[language]},
            ],
        }
        for language in SITE_LANGUAGES
        if language != default and texts.get(language)
    ]
    return main, ({"extension": others} if others else None)


def _labelled(target: dict, key: str, texts: dict[str, str], default: str) -> None:
    main, extension = _text(texts, default)
    if main:
        target[key] = main
        if extension:
            target[f"_{key}"] = extension


def _item(question: Question, definition: ScriptDefinition, default: str) -> dict:
    item: dict = {"linkId": question.name, "type": ITEM_TYPES.get(question.type, "string")}
    _labelled(item, "text", question.label, default)
    if question.required is True:
        item["required"] = True
    if question.type in (REPEAT, SELECT_MULTIPLE):
        item["repeats"] = True
    if question.type == CALCULATE or question.read_only is True:
        item["readOnly"] = True
    if question.type in (SELECT_ONE, SELECT_MULTIPLE):
        choices = definition.choices.get(question.list_name)
        options = []
        for choice in choices.choices if choices else ():
            coding = {"code": choice.name}
            _labelled(coding, "display", choice.label, default)
            options.append({"valueCoding": coding})
        item["answerOption"] = options
    if question.children:
        item["item"] = [_item(child, definition, default) for child in question.children]
    return item


def questionnaire(version: ScriptVersion) -> dict:
    """Return a script version as a validated FHIR Questionnaire.

    :raise FhirError: when the result does not validate (a bug, not bad input).
    """
    definition = scripts.definition(version)
    default = definition.settings.default_language
    resource: dict = {
        "resourceType": "Questionnaire",
        "id": resource_id(f"{version.script.form_id}-{version.number}"),
        "url": canonical_url(version.script.form_id),
        "version": version.version_label,
        "name": version.script.form_id,
        "status": STATUSES.get(version.state, "unknown"),
        "language": default,
        "item": [_item(q, definition, default) for q in definition.questions],
    }
    _labelled(resource, "title", definition.settings.title, default)
    if version.published_dt:
        resource["date"] = version.published_dt.isoformat()
    return _validated(Questionnaire, resource)


def _validated(model, resource: dict) -> dict:
    try:
        model.model_validate(resource)
    except ValueError as exc:
        raise FhirError(f"{resource['resourceType']} does not validate: {exc}") from exc
    return resource


def find_version(form_id: str, number: int | None) -> ScriptVersion | None:
    """Return a published (or once published) version of a script, the current by default."""
    script = db.session.scalar(select(Script).where(Script.form_id == form_id))
    if script is None:
        return None
    if number is None:
        return scripts.current_version(script)
    return next(
        (v for v in script.versions if v.number == number and v.published_dt is not None), None
    )


@lru_cache(maxsize=256)
def _types(version_id: int, definition_csv: str) -> dict[str, str]:
    definition = scripts.definition(db.session.get(ScriptVersion, version_id))
    return {question.name: question.type for question in definition.walk()}


def _answer(kind: str | None, value) -> list[dict]:
    text = str(value)
    if kind == INTEGER and text.lstrip("-").isdigit():
        return [{"valueInteger": int(text)}]
    if kind == DECIMAL:
        try:
            return [{"valueDecimal": float(text)}]
        except ValueError:
            pass
    if kind == DATE:
        return [{"valueDate": text}]
    if kind == SELECT_ONE:
        return [{"valueCoding": {"code": text}}]
    if kind == SELECT_MULTIPLE:
        return [{"valueCoding": {"code": code}} for code in text.split()]
    return [{"valueString": text}]


def questionnaire_response(record: dict, version: ScriptVersion) -> dict:
    """Return an exported form record as a validated FHIR QuestionnaireResponse.

    Answers are those the export settings let out (pseudonyms as strings); a repeat's
    answers keep their key (``contacts.0.name``) as ``linkId``.
    """
    types = _types(version.id, version.definition_csv)
    items = []
    for key, value in record["answers"].items():
        name = key.rsplit(".", 1)[-1]
        kind = None if name.endswith("_pseudonym") else types.get(name)
        items.append({"linkId": key, "answer": _answer(kind, value)})
    resource = {
        "resourceType": "QuestionnaireResponse",
        "id": f"form-{record['id']}",
        "questionnaire": f"{canonical_url(record['form_id'])}|{record['version']}",
        "status": "completed" if record["state"] == "completed" else "in-progress",
        "authored": record["completed_dt"] or record["updated_dt"],
        "language": record["language"],
        "item": items,
    }
    if record.get("ticket"):
        resource["identifier"] = {"system": "urn:tracing:ticket", "value": record["ticket"]}
    return _validated(QuestionnaireResponse, resource)


def responses(records: Iterable[dict]) -> Iterator[dict]:
    """QuestionnaireResponses of form records."""
    for record in records:
        version = find_version(record["form_id"], record["version_number"])
        if version is not None:
            yield questionnaire_response(record, version)


def response_lines(records: Iterable[dict]) -> Iterator[str]:
    """QuestionnaireResponses as JSON Lines (FHIR's NDJSON bulk format)."""
    for resource in responses(records):
        yield json.dumps(resource, ensure_ascii=False) + "\n"
