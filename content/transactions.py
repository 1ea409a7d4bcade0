"""Commit helpers for hot request paths.

``expire_on_commit`` (the default, kept) makes every loaded object re-read after a
commit. A view that commits and then renders what it has just written would read the same
rows a second time; :func:`commit_keeping_loaded` commits without that expiry.
"""

from __future__ import annotations

from content.extensions import db


def commit_keeping_loaded() -> None:
    """Commit the request's session, keeping loaded objects as they are.

    Use it only when the objects are read afterwards in the same request for rendering or
    building URLs (their values are what this transaction wrote or read). Permission
    checks keep reading the database: the user loader loads the session, user and roles
    fresh at the start of each request.
    """
    session = db.session()
    previous = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = previous
