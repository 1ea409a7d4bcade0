"""Legal holds: a ticket a supervisor keeps out of the purge, with the reason why."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.auth.models import User, utcnow
from content.extensions import db
from tracing_app.tickets.models import Ticket


class LegalHold(db.Model):
    """A hold on a ticket: nothing of it is purged while ``released_dt`` is None.

    The reason is a case or file number, a court order…; like audit reasons it must not
    hold personal data (it is copied into the audit log).
    """

    __tablename__ = "ticket_legal_holds"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    placed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    placed_dt: Mapped[datetime] = mapped_column(default=utcnow)
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    released_dt: Mapped[datetime | None]

    ticket: Mapped[Ticket] = relationship()
    placed_by: Mapped[User | None] = relationship(foreign_keys=[placed_by_id])

    @property
    def active(self) -> bool:
        """Whether the hold still stops the purge."""
        return self.released_dt is None

    def __repr__(self) -> str:
        return f"<LegalHold {self.id} t{self.ticket_id} active={self.active}>"
