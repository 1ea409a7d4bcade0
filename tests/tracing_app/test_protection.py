"""The protection package: features declare to it, and it imports none of them."""

from __future__ import annotations

import ast
from pathlib import Path

import tracing_app.protection
from tracing_app.protection.registry import declared_tables

PACKAGE = Path(tracing_app.protection.__file__).parent
FEATURES = ("tickets", "calls", "scripts", "exchange", "documents", "seed")


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_protection_imports_no_feature():
    offenders = {
        f"{path.name}: {name}"
        for path in PACKAGE.glob("*.py")
        for name in _imports(path)
        if name.split(".")[:2] in [["tracing_app", feature] for feature in FEATURES]
    }
    assert offenders == set()


def test_every_encrypted_table_is_declared(app):
    declared = {d.name: set(d.columns.values()) for d in declared_tables()}
    assert declared["tickets"] >= {"national_number_enc", "notes_enc"}
    assert declared["ticket_escalations"] == {"note_enc", "answer_enc"}
    assert declared["call_attempts"] == {"note_enc"}
    assert declared["form_responses"] == {"answers_json"}
    # Every column named *_enc anywhere is declared, so a rotation never misses one.
    from content.extensions import db

    encrypted = {
        (table.name, column.name)
        for table in db.metadata.sorted_tables
        for column in table.columns
        if column.name.endswith("_enc")
    }
    assert encrypted <= {(name, column) for name, columns in declared.items() for column in columns}
