"""What each feature encrypts: its tables, columns and blind indexes, declared here once.

A feature that stores personal data declares its table next to the code that encrypts it::

    register_encrypted_table(EncryptedTable(CallAttempt.__table__, {"note_enc": "note_enc"}))

Key rotation (:mod:`.rotation`) and ``tracing-app keys list|retire`` walk these
declarations; this package never imports the features. Tokens are bound to the context
``"<table name>:<row id>:<value name>"`` (:func:`.crypto.context_for`). See
docs/personal-data.md, "Where a new encrypted column goes".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import Table

from tracing_app.protection.keys import KeyRing

#: ``rows(row_id, values, key_ring)``: the index rows of one row from its decrypted values
#: (value name -> text or None), as dicts ready for an INSERT into the index table.
IndexRows = Callable[[int, Mapping[str, str | None], KeyRing], list[dict]]


@dataclass(frozen=True)
class BlindIndexTable:
    """A table of blind indexes rebuilt from an encrypted table's values at each rotation.

    :param table: the index table; one row per owner row, kind and key.
    :param owner_column: its column holding the encrypted row's id.
    :param rows: computes the index rows of one encrypted row (see :data:`IndexRows`).
    :param key_column: its column holding the id of the key a digest was made with.
    """

    table: Table
    owner_column: str
    rows: IndexRows
    key_column: str = "key_id"


@dataclass(frozen=True)
class EncryptedTable:
    """A table with encrypted columns, owned by a feature.

    :param table: the table; its integer ``id`` is the row id of the contexts.
    :param columns: value name (the last part of the context) -> column name.
    :param row_label: a plain, non-personal column that names a row in messages (a
        ticket's reference); the id when None.
    :param plain_legacy: the columns may still hold plain text written before they were
        encrypted; a rotation encrypts it (tokens start with ``v1:``, plain text never does).
    :param blind_indexes: the blind indexes computed from these values, if any.
    :param row_keys: the columns are encrypted under each row's own data key (owner name
        in :mod:`.data_keys`, the table's name): a rotation re-wraps the keys and only moves
        tokens still under a ring key to the row's key (crypto-shredding, docs/retention.md).
    """

    table: Table
    columns: Mapping[str, str]
    row_label: str | None = None
    plain_legacy: bool = False
    blind_indexes: BlindIndexTable | None = None
    row_keys: bool = False
    name: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", self.table.name)
        missing = [c for c in self.columns.values() if c not in self.table.c]
        if missing or not self.columns:
            raise ValueError(f"{self.table.name}: no such encrypted columns {missing}")


_DECLARED: dict[str, EncryptedTable] = {}


def register_encrypted_table(declaration: EncryptedTable) -> EncryptedTable:
    """Declare a feature's encrypted table; declaring a table again replaces it.

    Call it at import time of the module that encrypts the table, which the app imports
    when it starts (its blueprint's views or operations), so a rotation sees it.
    """
    _DECLARED[declaration.name] = declaration
    return declaration


def declared_tables() -> list[EncryptedTable]:
    """Return the declared tables, in the order they were first declared."""
    return list(_DECLARED.values())
