"""Second factors of accounts and their one-time recovery codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from content.auth.models import utcnow
from content.extensions import db

TOTP = "totp"
WEBAUTHN = "webauthn"


class SecondFactor(db.Model):
    """One authenticator of a user: a TOTP app or a WebAuthn security key / passkey.

    The TOTP secret is sealed (``sealing.py``); ``last_used_step`` is the time step of the
    last accepted code, so a code is accepted once. A TOTP factor counts once confirmed.
    """

    __tablename__ = "second_factors"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(80), default="")
    sealed_secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    last_used_step: Mapped[int | None]
    credential_id: Mapped[bytes | None] = mapped_column(LargeBinary(1023), unique=True)
    public_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(default=0)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_dt: Mapped[datetime | None]
    last_used_dt: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<SecondFactor {self.id} {self.kind} user={self.user_id}>"


class RecoveryCode(db.Model):
    """A one-time recovery code, kept as a keyed hash; ``used_dt`` is set when spent."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)
    used_dt: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<RecoveryCode {self.id} user={self.user_id} used={self.used_dt}>"
