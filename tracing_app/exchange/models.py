"""API clients: machine clients of the institute, each with one hashed token and scopes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.auth.models import User, utcnow
from content.extensions import db


class ApiClient(db.Model):
    """A machine client; only the SHA-256 of its token is kept (the token is shown once)."""

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    #: The token's first characters, to tell tokens apart in lists and logs.
    token_prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: Space-separated scopes, e.g. "orders:write data:read".
    scopes: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_dt: Mapped[datetime | None]
    revoked_dt: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    @property
    def scope_set(self) -> frozenset[str]:
        """The client's scopes as a set."""
        return frozenset(self.scopes.split())

    @property
    def active(self) -> bool:
        """Whether the client's token is still accepted."""
        return self.revoked_dt is None

    def __repr__(self) -> str:
        return f"<ApiClient {self.id} {self.name!r} {self.scopes!r}>"


class ApiOrderBatch(db.Model):
    """A batch of call orders a client sent, kept so that sending it again creates nothing.

    Only accepted batches are kept: a refused batch wrote nothing and may be sent again
    under the same identifier once corrected.
    """

    __tablename__ = "api_order_batches"
    __table_args__ = (UniqueConstraint("client_id", "batch_id", name="uq_api_order_batches_batch"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("api_clients.id", ondelete="CASCADE"))
    #: The client's own identifier of the batch.
    batch_id: Mapped[str] = mapped_column(String(100))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    #: The answer given the first time (counts and ticket references, no personal data).
    result_json: Mapped[str] = mapped_column(Text)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<ApiOrderBatch {self.id} client {self.client_id} {self.batch_id!r}>"
