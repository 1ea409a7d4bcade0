"""pyxform as the oracle of XLSForm reading: its question tree and ours, side by side.

Both trees are reduced to the same plain shape (name, type, texts per site language,
bindings, appearance, choices, children) so a test can compare them with ``==`` and
show the difference. pyxform's spellings are mapped here, in one table per kind; each
deliberate difference is listed in docs/scripts.md, "Differences from pyxform and ODK".
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
from pyxform.xls2json import parse_file_to_json

from tracing_app.scripts.definition import (
    SITE_LANGUAGES,
    Question,
    ScriptDefinition,
    parse_language,
)
from tracing_app.scripts.xlsform import OTHER_CHOICE, flag

#: pyxform's type names (as its question tree keeps them) -> (our type, appearance added).
PYXFORM_TYPES = {
    "select one": ("select_one", ""),
    "select all that apply": ("select_multiple", ""),
    "string": ("text", ""),
    "int": ("integer", ""),
    "dateTime": ("datetime", ""),
    "trigger": ("acknowledge", ""),
    "phone number": ("text", "phone"),  # ours checks a real phone number (stricter)
}
#: Bindings compared, by pyxform's bind key -> our Question attribute.
BINDINGS = {
    "relevant": "relevant",
    "constraint": "constraint",
    "calculate": "calculation",
    "required": "required",
    "readonly": "read_only",
}
TEXTS = {
    "label": "label",
    "hint": "hint",
    "jr:requiredMsg": "required_message",
    "jr:constraintMsg": "constraint_message",
}
_PARENT_REFERENCE = re.compile(r"\.\./([\w.-]+)")


def pyxform_tree(path: Path, default_language: str) -> list[dict]:
    """Return pyxform's question tree of a form file, in the comparable shape."""
    survey = parse_file_to_json(str(path))
    children = [child for child in survey["children"] if child["name"] != "meta"]
    # pyxform moves ``audit`` into its meta group; that group's instanceID is its own.
    for meta in (child for child in survey["children"] if child["name"] == "meta"):
        children += [child for child in meta["children"] if child["name"] != "instanceID"]
    generated = _or_other_names(children)
    return [_from_pyxform(child, default_language, generated) for child in children]


def our_tree(definition: ScriptDefinition) -> list[dict]:
    """Return our question tree in the comparable shape (``audit`` last, where pyxform puts it)."""
    questions = sorted(definition.questions, key=lambda question: question.type == "audit")
    return [_from_ours(question, definition) for question in questions]


def _or_other_names(children: list[dict]) -> set[str]:
    """The names of the text questions pyxform added after ``select_one … or_other``."""
    names: set[str] = set()
    for child in children:
        names |= _or_other_names(child.get("children", []))
        relevant = child.get("bind", {}).get("relevant", "")
        if child["name"].endswith(f"_{OTHER_CHOICE}") and relevant.startswith("selected(../"):
            names.add(child["name"])
    return names


def _languages(texts: str | dict | None, default_language: str) -> dict[str, str]:
    if not texts:
        return {}
    if isinstance(texts, str):
        return {default_language: texts}
    result = {}
    for language, text in texts.items():
        code = default_language if language == "default" else parse_language(language)
        if code in SITE_LANGUAGES and text:
            result[code] = text
    return result


def _from_pyxform(node: dict, default_language: str, generated: set[str]) -> dict:
    our_type, appearance = PYXFORM_TYPES.get(node["type"], (node["type"], ""))
    written = node.get("control", {}).get("appearance", "")
    bind = node.get("bind", {})
    shape = {
        "name": node["name"],
        "type": our_type,
        "appearance": f"{appearance} {written}".strip(),
        "default": node.get("default", ""),
        "choice_filter": node.get("choice_filter", ""),
        "list_name": node.get("list_name", ""),
    }
    for key, attribute in BINDINGS.items():
        value = bind.get(key, "")
        shape[attribute] = flag(value) if attribute in ("required", "read_only") else value
    for key, attribute in TEXTS.items():
        shape[attribute] = _languages(node.get(key) or bind.get(key), default_language)
    if node["name"] in generated:
        # pyxform writes the XPath of the select and one English label for every language.
        shape["relevant"] = _PARENT_REFERENCE.sub(r"${\1}", shape["relevant"])
        shape["label"] = "(generated)"
    shape["choices"] = [
        _choice(choice, default_language, generated) for choice in node.get("choices", [])
    ]
    shape["children"] = [
        _from_pyxform(child, default_language, generated) for child in node.get("children", [])
    ]
    return shape


def _choice(choice: dict, default_language: str, generated: set[str]) -> dict:
    filters = {
        key: value
        for key, value in choice.items()
        if key not in ("name", "label", "media") and value
    }
    label = _languages(choice.get("label"), default_language)
    if choice["name"] == OTHER_CHOICE and generated and set(label.values()) == {"Other"}:
        label = "(generated)"
    return {"name": choice["name"], "label": label, "filters": filters}


def _from_ours(question: Question, definition: ScriptDefinition) -> dict:
    shape = {
        "name": question.name,
        "type": question.type,
        "appearance": question.appearance,
        "default": question.default,
        "choice_filter": question.choice_filter,
        "list_name": question.list_name,
    }
    for attribute in BINDINGS.values():
        shape[attribute] = getattr(question, attribute)
    for attribute in TEXTS.values():
        shape[attribute] = getattr(question, attribute)
    generated = (
        question.row
        and question.name.endswith(f"_{OTHER_CHOICE}")
        and any(
            other.list_name
            and question.name == f"{other.name}_{OTHER_CHOICE}"
            and other.row == question.row
            for other in definition.walk()
        )
    )
    if generated:
        shape["label"] = "(generated)"
    choice_list = definition.choices.get(question.list_name)
    shape["choices"] = [
        {
            "name": choice.name,
            "label": "(generated)"
            if choice.name == OTHER_CHOICE and not choice.row
            else choice.label,
            "filters": choice.filters,
        }
        for choice in (choice_list.choices if choice_list else ())
    ]
    shape["children"] = [_from_ours(child, definition) for child in question.children]
    return shape


def workbook_like(path: Path) -> bytes:
    """Return the sectioned CSV file as a workbook, each row on the sheet row of its line.

    Problems then have the same row numbers in both formats.
    """
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    sheet = None
    with path.open(encoding="utf-8", newline="") as file:
        for line, cells in enumerate(csv.reader(file), 1):
            if cells and cells[0]:
                sheet = workbook.create_sheet(cells[0])
                continue
            for column, value in enumerate(cells[1:], 1):
                if value:
                    sheet.cell(line, column, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
