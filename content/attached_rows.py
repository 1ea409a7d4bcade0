"""ORM instances made from rows a hot path read with Core: no ORM loading at all.

An ORM query pays for its loading machinery (entities, eager loads, uniquing) at every
request; a Core statement returning the same columns costs a fraction of it. Where the
request still needs the ORM instance (to pass it on, or to change it through the unit of
work), :func:`attached` makes it from the row as if it had been loaded.
:func:`read_rows` runs such a statement, outside a transaction when the request has none.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Row, inspect
from sqlalchemy.orm import configure_mappers, make_transient_to_detached
from sqlalchemy.sql import Executable

from content.extensions import db

M = TypeVar("M")


def attached(model: type[M], values: dict[str, Any], **unmapped: Any) -> M:
    """Return the request's persistent instance of a row just read, without a statement.

    The instance the session already holds for the row's key, if any (as an ORM query
    would return it), else one made from ``values`` (attribute name → value, the primary
    key ``id`` included) and attached as if loaded: attributes not in ``values`` load on
    first use, changes flush as usual. ``unmapped`` values are set on a new instance only.
    """
    mapper = inspect(model)
    if not mapper.configured:  # a worker's first request may run no ORM query before this
        configure_mappers()
    key = mapper.identity_key_from_primary_key((values["id"],))
    found = db.session.identity_map.get(key)
    if found is not None:
        return found
    made = mapper.class_manager.new_instance()
    made.__dict__.update(values)
    made.__dict__.update(unmapped)
    make_transient_to_detached(made)
    db.session.add(made)
    return made


def read_rows(statement: Executable, params: dict[str, Any]) -> list[Row]:
    """Run a read-only statement; return its rows.

    In the request's transaction when it has begun one (what it read or wrote before is
    seen as it does). Otherwise on a connection in autocommit mode: one round trip on
    PostgreSQL instead of three (``BEGIN``, the statement, the ``ROLLBACK`` when the
    connection goes back to the pool), and what it reads is what a first statement of a
    transaction would read (read committed). Writes that follow begin the request's
    transaction as usual.
    """
    session = db.session()
    if session.in_transaction():
        return session.connection().execute(statement, params).all()
    with db.engine.connect() as connection:
        return (
            connection.execution_options(isolation_level="AUTOCOMMIT")
            .execute(statement, params)
            .all()
        )
