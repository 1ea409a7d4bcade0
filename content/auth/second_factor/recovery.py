"""One-time recovery codes: shown once, stored as keyed hashes, each accepted once."""

from __future__ import annotations

import secrets

from sqlalchemy import delete, select, update

from content.auth.models import User, utcnow
from content.auth.second_factor.models import RecoveryCode
from content.auth.second_factor.sealing import code_hash
from content.extensions import db

#: Codes per user, and characters per code (Crockford-like alphabet: no 0/O, 1/I/L).
CODE_COUNT = 10
_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
_LENGTH = 10  # ~49 bits each


def normalise(code: str) -> str:
    """Return a typed code without spaces, dashes and case."""
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _format(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def renew(user: User) -> list[str]:
    """Replace the user's recovery codes with fresh ones and return them (shown once)."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(_ALPHABET) for _ in range(_LENGTH)) for _ in range(CODE_COUNT)]
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=code_hash(user.id, c)) for c in codes
    )
    return [_format(code) for code in codes]


def find(user: User, typed: str) -> int | None:
    """Return the id of the user's unused code matching what was typed, or None."""
    return db.session.scalar(
        select(RecoveryCode.id).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == code_hash(user.id, normalise(typed)),
            RecoveryCode.used_dt.is_(None),
        )
    )


def claim(code_id: int) -> bool:
    """Mark a code used with a conditional UPDATE: of two racing uses, one wins."""
    result = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.id == code_id, RecoveryCode.used_dt.is_(None))
        .values(used_dt=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def remaining(user: User) -> int:
    """Return how many unused recovery codes the user has."""
    rows = db.session.scalars(
        select(RecoveryCode.id).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_dt.is_(None)
        )
    )
    return len(rows.all())
