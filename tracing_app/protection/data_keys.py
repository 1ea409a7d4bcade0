"""Per-row data keys: one random key per owner row (a ticket), wrapped by the key ring.

A feature whose rows must be erasable one by one (crypto-shredding) encrypts their
columns under the row's own data key instead of the ring's current key. The data key is
32 random bytes, stored in ``data_keys`` *wrapped*: encrypted by the ring like any other
value (context ``data_keys:<id>:key``). The table is declared to :mod:`.registry`, so a
key rotation re-wraps every data key under the new ring key and leaves the rows'
columns alone. Destroying the data key (:func:`destroy_data_keys`) makes every token of
the row unreadable for good, in this database and in any copy that no longer has a ring
key able to unwrap it (see docs/retention.md, "Backups").

Tokens under a data key carry the reserved key id :data:`ROW_KEY_ID`; a :class:`RowKeyRing`
decrypts them and still decrypts the row's older tokens made under the ring, so rows
written before data keys existed keep opening until a rotation moves them.
"""

from __future__ import annotations

import base64
import os
from datetime import datetime

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Connection, Index, String, Text, delete, select, update
from sqlalchemy.orm import Mapped, mapped_column

from content.auth.models import utcnow
from content.extensions import db
from tracing_app.protection.crypto import context_for, decrypt, encrypt
from tracing_app.protection.keys import KEY_BYTES, ROW_KEY_ID, KeyRing, derive_key
from tracing_app.protection.registry import EncryptedTable, register_encrypted_table

TABLE = "data_keys"
_INFO = b"tracing-app/v1/row-data-key"


class DataKey(db.Model):
    """The wrapped data key of one owner row (``owner`` is its table's name)."""

    __tablename__ = TABLE
    __table_args__ = (Index("uq_data_keys_owner", "owner", "owner_id", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(String(64))
    owner_id: Mapped[int]
    #: The data key, base64, encrypted by the key ring (NULL only while being written).
    wrapped_key: Mapped[str | None] = mapped_column(Text)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:  # never the key
        return f"<DataKey {self.id} {self.owner}:{self.owner_id}>"


# Rotation re-wraps the data keys under the ring's current key.
register_encrypted_table(EncryptedTable(DataKey.__table__, {"key": "wrapped_key"}))


class RowKeyRing:
    """The keys that open one row: its data key (current) and the ring's keys (older tokens).

    Duck-types the two things :mod:`.crypto` asks of a key ring: ``current_id`` and
    ``cipher(key_id)``.
    """

    def __init__(self, data_key: bytes, ring: KeyRing) -> None:
        self._cipher = AESGCM(derive_key(data_key, _INFO))
        self._ring = ring
        self.current_id = ROW_KEY_ID

    def cipher(self, key_id: str) -> AESGCM:
        """Return the row key's cipher, or a ring key's for tokens made before data keys."""
        return self._cipher if key_id == ROW_KEY_ID else self._ring.cipher(key_id)

    def __repr__(self) -> str:
        return f"<RowKeyRing {self._ring!r}>"


def _connection(conn: Connection | None) -> Connection:
    return conn if conn is not None else db.session.connection()


def row_key_ring(
    owner: str, owner_id: int, ring: KeyRing, *, create: bool = False, conn=None
) -> RowKeyRing | None:
    """Return the keys of one row, making its data key when ``create`` and none exists.

    :return: None when the row has no data key (never had one, or it was destroyed).
    :raise DecryptionError: the wrapped key does not open (wrong ring, altered row).
    """
    conn = _connection(conn)
    row = conn.execute(
        select(DataKey.id, DataKey.wrapped_key).where(
            DataKey.owner == owner, DataKey.owner_id == owner_id
        )
    ).first()
    if row is not None and row.wrapped_key is not None:
        return unwrap_key(row.id, row.wrapped_key, ring)
    if not create:
        return None
    key = os.urandom(KEY_BYTES)
    key_row_id = row.id if row is not None else None
    if key_row_id is None:
        key_row_id = conn.execute(
            DataKey.__table__.insert().values(owner=owner, owner_id=owner_id, created_dt=utcnow())
        ).inserted_primary_key[0]
    token = encrypt(
        base64.b64encode(key).decode("ascii"),
        context=context_for(TABLE, key_row_id, "key"),
        key_ring=ring,
    )
    conn.execute(update(DataKey).where(DataKey.id == key_row_id).values(wrapped_key=token))
    return RowKeyRing(key, ring)


def unwrap_key(key_id: int, wrapped_key: str, ring: KeyRing) -> RowKeyRing:
    """Return the keys of a row from its data key's row, read by the caller (a join).

    :raise DecryptionError: the wrapped key does not open (wrong ring, altered row).
    """
    wrapped = decrypt(wrapped_key, context=context_for(TABLE, key_id, "key"), key_ring=ring)
    return RowKeyRing(base64.b64decode(wrapped), ring)


def row_key_rings(owner: str, owner_ids: list[int], ring: KeyRing, *, conn=None) -> dict:
    """Return the keys of many rows in one query: owner id -> :class:`RowKeyRing`.

    Rows without a data key are left out (their tokens, if any, are under the ring).
    """
    if not owner_ids:
        return {}
    rows = _connection(conn).execute(
        select(DataKey.id, DataKey.owner_id, DataKey.wrapped_key).where(
            DataKey.owner == owner,
            DataKey.owner_id.in_(owner_ids),
            DataKey.wrapped_key.is_not(None),
        )
    )
    return {
        row.owner_id: RowKeyRing(
            base64.b64decode(
                decrypt(row.wrapped_key, context=context_for(TABLE, row.id, "key"), key_ring=ring)
            ),
            ring,
        )
        for row in rows
    }


def destroy_data_keys(owner: str, owner_ids: list[int], *, conn=None) -> int:
    """Delete the data keys of these rows (crypto-shredding); return how many existed."""
    if not owner_ids:
        return 0
    result = _connection(conn).execute(
        delete(DataKey).where(DataKey.owner == owner, DataKey.owner_id.in_(owner_ids))
    )
    return result.rowcount
