"""ORM instances made from rows a hot path read with Core: no ORM loading at all.

An ORM query pays for its loading machinery (entities, eager loads, uniquing) at every
request; a Core statement returning the same columns costs a fraction of it. Where the
request still needs the ORM instance (to pass it on, or to change it through the unit of
work), :func:`attached` makes it from the row as if it had been loaded.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import inspect
from sqlalchemy.orm import configure_mappers, make_transient_to_detached

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
