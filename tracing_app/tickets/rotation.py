"""Key rotation: re-encrypt every token and rebuild every blind index under the current key.

Per batch of rows, in one transaction (see docs/personal-data.md, "Key rotation"): lock
the batch (``SELECT … FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite), re-encrypt
every encrypted column with one :func:`reencrypt_batch`, rebuild the rows' blind indexes
from the decrypted values, write, commit. Only rows with a token or an index under another
key are selected, so a second run continues where the first stopped. A token that does not
open rolls its batch back and stops the run (:class:`RotationError`): no row is lost or
half rotated. The ticket's edit ``version`` is not touched: the content did not change.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from sqlalchemy import Connection, and_, bindparam, delete, exists, func, not_, or_, select, update

from content.extensions import db
from tracing_app.tickets.crypto import (
    DecryptionError,
    context_for,
    decrypt,
    encrypt,
    reencrypt_batch,
)
from tracing_app.tickets.escalations import COLUMNS as ESCALATION_COLUMNS
from tracing_app.tickets.escalations import TABLE as ESCALATION_TABLE
from tracing_app.tickets.keys import KeyRing
from tracing_app.tickets.models import (
    ENCRYPTED_FIELDS,
    Ticket,
    TicketBlindIndex,
    TicketEscalation,
)
from tracing_app.tickets.operations import TABLE as TICKET_TABLE
from tracing_app.tickets.operations import PersonData, index_rows

DEFAULT_BATCH = 200


class RotationError(Exception):
    """A token did not open: its batch was rolled back and the run stopped."""


def _token_prefix(key_id: str) -> str:
    return f"v1:{key_id}:"


def _stale(column, ring: KeyRing):
    """SQL: the column holds a token under another key than the current one."""
    return and_(
        column.is_not(None),
        not_(column.startswith(_token_prefix(ring.current_id), autoescape=True)),
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


def rotate_tickets(ring: KeyRing, *, batch_size: int = DEFAULT_BATCH) -> int:
    """Re-encrypt tickets and rebuild their blind indexes; return how many tickets changed."""
    table, indexes = Ticket.__table__, TicketBlindIndex.__table__
    columns = [table.c[f"{field}_enc"] for field in ENCRYPTED_FIELDS]
    needs_work = or_(
        *[_stale(column, ring) for column in columns],
        exists().where(indexes.c.ticket_id == table.c.id, indexes.c.key_id != ring.current_id),
    )
    done, last_id = 0, 0
    while True:
        with _batch_transaction() as conn:
            query = (
                select(table.c.id, table.c.reference, table.c.language, *columns)
                .where(table.c.id > last_id, needs_work)
                .order_by(table.c.id)
                .limit(batch_size)
            )
            if conn.dialect.name != "sqlite":
                query = query.with_for_update(of=table)
            rows = conn.execute(query).all()
            if not rows:
                return done
            items, people = [], []
            for row in rows:
                contexts = [context_for(TICKET_TABLE, row.id, f) for f in ENCRYPTED_FIELDS]
                tokens = [row._mapping[f"{f}_enc"] for f in ENCRYPTED_FIELDS]
                try:
                    values = [
                        decrypt(token, context=context, key_ring=ring)
                        for context, token in zip(contexts, tokens, strict=True)
                    ]
                except DecryptionError as exc:
                    raise RotationError(f"ticket {row.reference}: {exc}") from None
                items.extend(zip(contexts, tokens, strict=True))
                people.append(_person(values, row.language))
            try:
                new_tokens = reencrypt_batch(items, key_ring=ring)
            except DecryptionError as exc:
                raise RotationError(str(exc)) from None
            width = len(ENCRYPTED_FIELDS)
            params = [
                {
                    "row_id": row.id,
                    **{
                        f"{field}_enc": new_tokens[n * width + k]
                        for k, field in enumerate(ENCRYPTED_FIELDS)
                    },
                }
                for n, row in enumerate(rows)
            ]
            # Core UPDATE: the ORM's version counter is left alone (no content change).
            conn.execute(
                update(table)
                .where(table.c.id == bindparam("row_id"))
                .values({f"{f}_enc": bindparam(f"{f}_enc") for f in ENCRYPTED_FIELDS}),
                params,
            )
            ids = [row.id for row in rows]
            conn.execute(delete(indexes).where(indexes.c.ticket_id.in_(ids)))
            new_indexes = [
                entry
                for row, person in zip(rows, people, strict=True)
                for entry in index_rows(row.id, person, ring)
            ]
            if new_indexes:
                conn.execute(indexes.insert(), new_indexes)
        done += len(rows)
        last_id = rows[-1].id


def _person(values: list[str | None], language: str) -> PersonData:
    data = dict(zip(ENCRYPTED_FIELDS, values, strict=True))
    if data["birth_date"]:
        import datetime as dt

        data["birth_date"] = dt.date.fromisoformat(data["birth_date"])
    return PersonData(language=language, **data)


def rotate_token_table(
    table, names: dict[str, str], context_table: str, ring: KeyRing, *, batch_size: int
) -> int:
    """Re-encrypt a table whose tokens are bound to ``<context_table>:<id>:<name>``.

    :param names: value name (in the context) -> column name.
    """
    columns = {name: table.c[column] for name, column in names.items()}
    done, last_id = 0, 0
    while True:
        with _batch_transaction() as conn:
            query = (
                select(table.c.id, *columns.values())
                .where(table.c.id > last_id, or_(*[_stale(c, ring) for c in columns.values()]))
                .order_by(table.c.id)
                .limit(batch_size)
            )
            if conn.dialect.name != "sqlite":
                query = query.with_for_update(of=table)
            rows = conn.execute(query).all()
            if not rows:
                return done
            items = [
                (context_for(context_table, row.id, name), row._mapping[column.name])
                for row in rows
                for name, column in columns.items()
            ]
            try:
                new_tokens = reencrypt_batch(items, key_ring=ring)
            except DecryptionError as exc:
                raise RotationError(f"{context_table}: {exc}") from None
            width = len(columns)
            conn.execute(
                update(table)
                .where(table.c.id == bindparam("row_id"))
                .values({c.name: bindparam(f"new_{c.name}") for c in columns.values()}),
                [
                    {
                        "row_id": row.id,
                        **{
                            f"new_{c.name}": new_tokens[n * width + k]
                            for k, c in enumerate(columns.values())
                        },
                    }
                    for n, row in enumerate(rows)
                ],
            )
        done += len(rows)
        last_id = rows[-1].id


def _rotate_escalations(ring: KeyRing, batch_size: int) -> int:
    return rotate_token_table(
        TicketEscalation.__table__,
        ESCALATION_COLUMNS,
        ESCALATION_TABLE,
        ring,
        batch_size=batch_size,
    )


def _rotate_call_notes(ring: KeyRing, batch_size: int) -> int:
    try:
        from tracing_app.calls.notes import reencrypt_notes
    except ImportError:  # the calls package keeps no encrypted notes
        return 0
    return reencrypt_notes(ring, batch_size=batch_size)


def _rotate_form_answers(ring: KeyRing, batch_size: int) -> int:
    """Script answers: encrypt forms saved before answers were encrypted, then rotate."""
    from tracing_app.scripts import operations as scripts
    from tracing_app.scripts.models import FormResponse

    table = FormResponse.__table__
    column = table.c[scripts.ANSWERS_COLUMN]
    done, last_id = 0, 0
    while True:  # plain JSON of older forms: encrypt it under the current key
        with _batch_transaction() as conn:
            query = (
                select(table.c.id, column)
                .where(table.c.id > last_id, not_(column.startswith("v1:")))
                .order_by(table.c.id)
                .limit(batch_size)
            )
            if conn.dialect.name != "sqlite":
                query = query.with_for_update(of=table)
            rows = conn.execute(query).all()
            if not rows:
                break
            for row in rows:
                token = encrypt(
                    row.answers_json, context=scripts.answers_context(row.id), key_ring=ring
                )
                conn.execute(update(table).where(table.c.id == row.id).values({column: token}))
        done += len(rows)
        last_id = rows[-1].id
    return done + rotate_token_table(
        table,
        {scripts.ANSWERS_COLUMN: scripts.ANSWERS_COLUMN},
        scripts.ANSWERS_TABLE,
        ring,
        batch_size=batch_size,
    )


#: What a rotation re-encrypts: (label, function(ring, batch_size) -> rows changed).
#: A package that adds encrypted columns adds its function here.
ROTATIONS: list[tuple[str, Callable[[KeyRing, int], int]]] = [
    ("tickets", lambda ring, size: rotate_tickets(ring, batch_size=size)),
    ("ticket_escalations", _rotate_escalations),
    ("call_attempts", _rotate_call_notes),
    ("form_responses", _rotate_form_answers),
]


def rotate_all(ring: KeyRing, *, batch_size: int = DEFAULT_BATCH) -> dict[str, int]:
    """Run every rotation in turn; return the rows changed per table.

    :raise RotationError: a token did not open (the run stopped; what is done stays done).
    """
    db.session.commit()  # our own connections write: the session must hold no lock
    done = {}
    for label, rotate in ROTATIONS:
        try:
            done[label] = rotate(ring, batch_size)
        except DecryptionError as exc:
            raise RotationError(f"{label}: {exc}") from None
    return done


def left_under(key_id: str) -> dict[str, int]:
    """Count what is still encrypted or indexed under a key (zero everywhere: removable)."""
    prefix = _token_prefix(key_id)
    counts = {}
    tickets = Ticket.__table__
    counts["tickets"] = db.session.scalar(
        select(func.count()).where(
            or_(
                *[
                    tickets.c[f"{f}_enc"].startswith(prefix, autoescape=True)
                    for f in ENCRYPTED_FIELDS
                ]
            )
        )
    )
    counts["ticket_blind_indexes"] = db.session.scalar(
        select(func.count()).where(TicketBlindIndex.key_id == key_id)
    )
    escalations = TicketEscalation.__table__
    counts["ticket_escalations"] = db.session.scalar(
        select(func.count()).where(
            or_(
                *[
                    escalations.c[c].startswith(prefix, autoescape=True)
                    for c in ESCALATION_COLUMNS.values()
                ]
            )
        )
    )
    from tracing_app.scripts.models import FormResponse

    counts["form_responses"] = db.session.scalar(
        select(func.count()).where(FormResponse.answers_json.startswith(prefix, autoescape=True))
    )
    try:
        from tracing_app.calls.models import CallAttempt
    except ImportError:
        pass
    else:
        counts["call_attempts"] = db.session.scalar(
            select(func.count()).where(CallAttempt.note_enc.startswith(prefix, autoescape=True))
        )
    return counts
