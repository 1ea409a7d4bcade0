"""A savepoint rolls back alone, and a rollback of the request takes what it wrote with it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from content.auth.models import User
from content.db import savepoint
from content.extensions import db

pytestmark = pytest.mark.db


def _user(email: str) -> User:
    return User(email=email, display_name="Probe")


def _users(email: str) -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(User.email == email))


def test_a_rolled_back_request_keeps_nothing_written_in_its_first_savepoint(app, backend):
    db.session.rollback()  # the transaction's first statement is the savepoint's
    with savepoint():
        db.session.add(_user("probe@example.org"))
    db.session.rollback()
    # Under pysqlite a bare SAVEPOINT ran in autocommit mode and its RELEASE committed.
    assert _users("probe@example.org") == 0


def test_a_refused_insert_rolls_back_only_its_savepoint(app, backend):
    db.session.add(_user("kept@example.org"))
    db.session.flush()
    with pytest.raises(IntegrityError), savepoint():
        db.session.add(_user("kept@example.org"))
    db.session.commit()
    assert _users("kept@example.org") == 1
