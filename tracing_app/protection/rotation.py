"""Key rotation: every declared column and blind index brought under the current key.

One loop walks every table declared in :mod:`.registry`. Per batch of rows, in one
transaction (see docs/personal-data.md, "Key rotation"): lock the batch (``SELECT … FOR
UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite), decrypt every token, write the
ones under another key again under the current key (plain text of older rows is
encrypted), rebuild the rows' blind indexes from the decrypted values, commit. Only rows
with a token or an index under another key are selected, so a second run continues where
the first stopped. A token that does not open rolls its batch back and stops the run
(:class:`RotationError`): no row is lost or half rotated. Updates are Core statements, so
an ORM version counter (a ticket's edit ``version``) is left alone: the content did not
change.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import Connection, and_, bindparam, delete, exists, func, not_, or_, select, update

from content.extensions import db
from tracing_app.protection.crypto import (
    VERSION,
    DecryptionError,
    context_for,
    decrypt,
    encrypt,
    needs_rotation,
)
from tracing_app.protection.data_keys import ROW_KEY_ID, row_key_ring
from tracing_app.protection.keys import KeyRing
from tracing_app.protection.registry import EncryptedTable, declared_tables

DEFAULT_BATCH = 200
_TOKEN_START = f"{VERSION}:"


class RotationError(Exception):
    """A token did not open: its batch was rolled back and the run stopped."""


def _token_prefix(key_id: str) -> str:
    return f"{VERSION}:{key_id}:"


def _stale(column, ring: KeyRing, declaration: EncryptedTable):
    """SQL: the column holds a token under another key than the current one (or plain text).

    For tables under per-row data keys, "current" is the row's key.
    """
    current = ROW_KEY_ID if declaration.row_keys else ring.current_id
    return and_(
        column.is_not(None),
        not_(column.startswith(_token_prefix(current), autoescape=True)),
    )


@contextlib.contextmanager
def _batch_transaction() -> Iterator[Connection]:
    """One transaction that holds its rows: FOR UPDATE (PostgreSQL) or the write lock (SQLite)."""
    if db.engine.dialect.name != "sqlite":
        with db.engine.begin() as conn:
            yield conn
        return
    # pysqlite opens transactions lazily; BEGIN IMMEDIATE takes SQLite's write lock first,
    # so no other writer changes the batch between reading and writing it.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.exec_driver_sql("ROLLBACK")
            raise
        conn.exec_driver_sql("COMMIT")


def rotate_table(
    declaration: EncryptedTable, ring: KeyRing, *, batch_size: int = DEFAULT_BATCH
) -> int:
    """Bring one declared table under the current key; return how many rows changed.

    :raise RotationError: a token did not open (its batch is rolled back; earlier ones stay).
    """
    table, indexes = declaration.table, declaration.blind_indexes
    names = list(declaration.columns)
    columns = [table.c[declaration.columns[name]] for name in names]
    needs_work = [_stale(column, ring, declaration) for column in columns]
    if indexes is not None:
        owner = indexes.table.c[indexes.owner_column]
        needs_work.append(
            exists().where(
                owner == table.c.id, indexes.table.c[indexes.key_column] != ring.current_id
            )
        )
    label = [table.c[declaration.row_label]] if declaration.row_label else []
    done, last_id = 0, 0
    while True:
        with _batch_transaction() as conn:
            query = (
                select(table.c.id, *label, *columns)
                .where(table.c.id > last_id, or_(*needs_work))
                .order_by(table.c.id)
                .limit(batch_size)
            )
            if conn.dialect.name != "sqlite":
                query = query.with_for_update(of=table)
            rows = conn.execute(query).all()
            if not rows:
                return done
            params, new_indexes = [], []
            for row in rows:
                values, tokens = _reencrypt_row(
                    declaration, row, names, _row_ring(declaration, row, ring, conn)
                )
                params.append({"row_id": row.id, **tokens})
                if indexes is not None:
                    new_indexes.extend(indexes.rows(row.id, values, ring))
            conn.execute(
                update(table)
                .where(table.c.id == bindparam("row_id"))
                .values({column.name: bindparam(f"new_{column.name}") for column in columns}),
                params,
            )
            if indexes is not None:
                ids = [row.id for row in rows]
                conn.execute(delete(indexes.table).where(owner.in_(ids)))
                if new_indexes:
                    conn.execute(indexes.table.insert(), new_indexes)
        done += len(rows)
        last_id = rows[-1].id


def _row_ring(declaration: EncryptedTable, row, ring: KeyRing, conn: Connection):
    """The keys new tokens of a row go under: its data key (made if missing), or the ring."""
    if not declaration.row_keys:
        return ring
    return row_key_ring(declaration.name, row.id, ring, create=True, conn=conn)


def _reencrypt_row(declaration: EncryptedTable, row, names: list[str], ring):
    """Decrypt one row's tokens; return its values and its tokens under the current key.

    :raise RotationError: naming the row (its label or id) and the value, never the value.
    """
    values, tokens = {}, {}
    for name in names:
        column = declaration.columns[name]
        token = row._mapping[column]
        context = context_for(declaration.name, row.id, name)
        if declaration.plain_legacy and token is not None and not token.startswith(_TOKEN_START):
            values[name] = token  # written before the column was encrypted
            tokens[f"new_{column}"] = encrypt(token, context=context, key_ring=ring)
            continue
        try:
            values[name] = decrypt(token, context=context, key_ring=ring)
        except DecryptionError as exc:
            where = (
                f"{declaration.row_label} {row._mapping[declaration.row_label]}"
                if declaration.row_label
                else f"row {row.id}"
            )
            raise RotationError(f"{declaration.name} {where}, {name}: {exc}") from None
        stale = needs_rotation(token, key_ring=ring)
        new = encrypt(values[name], context=context, key_ring=ring) if stale else token
        tokens[f"new_{column}"] = new
    return values, tokens


def reindex_table(
    declaration: EncryptedTable, ring: KeyRing, *, batch_size: int = DEFAULT_BATCH
) -> int:
    """Rebuild the blind indexes of every row of one table; return how many rows.

    For indexes a release adds (existing rows have none of the new kinds): the tokens
    are decrypted and left as they are, the rows' indexes written anew under the current
    key, one locked batch per transaction like a rotation.

    :raise RotationError: a token did not open (its batch is rolled back; earlier ones stay).
    """
    table, indexes = declaration.table, declaration.blind_indexes
    if indexes is None:
        return 0
    names = list(declaration.columns)
    columns = [table.c[declaration.columns[name]] for name in names]
    label = [table.c[declaration.row_label]] if declaration.row_label else []
    owner = indexes.table.c[indexes.owner_column]
    done, last_id = 0, 0
    while True:
        with _batch_transaction() as conn:
            query = (
                select(table.c.id, *label, *columns)
                .where(table.c.id > last_id)
                .order_by(table.c.id)
                .limit(batch_size)
            )
            if conn.dialect.name != "sqlite":
                query = query.with_for_update(of=table)
            rows = conn.execute(query).all()
            if not rows:
                return done
            new_indexes = []
            for row in rows:
                # The fields open with the row's own data key, if it has one.
                keys = ring
                if declaration.row_keys:
                    keys = row_key_ring(declaration.name, row.id, ring, conn=conn) or ring
                values, _tokens = _reencrypt_row(declaration, row, names, keys)
                new_indexes.extend(indexes.rows(row.id, values, ring))
            conn.execute(delete(indexes.table).where(owner.in_([row.id for row in rows])))
            if new_indexes:
                conn.execute(indexes.table.insert(), new_indexes)
        done += len(rows)
        last_id = rows[-1].id


def reindex_all(ring: KeyRing, *, batch_size: int = DEFAULT_BATCH) -> dict[str, int]:
    """Rebuild the blind indexes of every declared table; return the rows per table."""
    db.session.commit()  # our own connections write: the session must hold no lock
    return {
        declaration.name: reindex_table(declaration, ring, batch_size=batch_size)
        for declaration in declared_tables()
        if declaration.blind_indexes is not None
    }


def rotate_all(ring: KeyRing, *, batch_size: int = DEFAULT_BATCH) -> dict[str, int]:
    """Rotate every declared table in turn; return the rows changed per table.

    :raise RotationError: a token did not open (the run stopped; what is done stays done).
    """
    db.session.commit()  # our own connections write: the session must hold no lock
    return {
        declaration.name: rotate_table(declaration, ring, batch_size=batch_size)
        for declaration in declared_tables()
    }


def left_under(key_id: str) -> dict[str, int]:
    """Count what is still encrypted or indexed under a key (zero everywhere: removable)."""
    prefix = _token_prefix(key_id)
    counts = {}
    for declaration in declared_tables():
        table = declaration.table
        columns = [table.c[column] for column in declaration.columns.values()]
        counts[declaration.name] = db.session.scalar(
            select(func.count())
            .select_from(table)
            .where(or_(*[column.startswith(prefix, autoescape=True) for column in columns]))
        )
        indexes = declaration.blind_indexes
        if indexes is not None:
            counts[indexes.table.name] = db.session.scalar(
                select(func.count())
                .select_from(indexes.table)
                .where(indexes.table.c[indexes.key_column] == key_id)
            )
    return counts
