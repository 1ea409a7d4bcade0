"""Documents issued from tickets and every time one was printed."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.auth.models import User, utcnow
from content.extensions import db
from tracing_app.tickets.models import Ticket

QUARANTINE_CERTIFICATE = "quarantine_certificate"
TEST_PRESCRIPTION = "test_prescription"
DOCUMENT_KINDS = (QUARANTINE_CERTIFICATE, TEST_PRESCRIPTION)


class TicketDocument(db.Model):
    """A document issued to the person of a ticket, checked by anyone through its code.

    The PDF is not stored (it would hold personal data in clear): it is drawn again at
    each print from the ticket and the fields below, which are fixed at issue.
    """

    __tablename__ = "ticket_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    #: The verification code (Crockford base 32, no separators): unguessable, public.
    code: Mapped[str] = mapped_column(String(32), unique=True)
    #: The citizen's language at issue: the language of the PDF and of its QR link.
    language: Mapped[str] = mapped_column(String(5))
    #: Quarantine certificates: the period of quarantine.
    valid_from: Mapped[date | None]
    valid_until: Mapped[date | None]
    #: Test prescriptions: the day the test is to be taken.
    test_date: Mapped[date | None]
    #: What the public verification page shows of the holder ("A. P."): the minimum.
    holder_initials: Mapped[str] = mapped_column(String(16))
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    issued_dt: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_dt: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    ticket: Mapped[Ticket] = relationship()
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])
    prints: Mapped[list[TicketDocumentPrint]] = relationship(
        back_populates="document",
        order_by="TicketDocumentPrint.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def revoked(self) -> bool:
        """Whether the document was withdrawn (it then verifies as revoked)."""
        return self.revoked_dt is not None

    def __repr__(self) -> str:
        return f"<TicketDocument {self.id} {self.kind} ticket={self.ticket_id}>"


class TicketDocumentPrint(db.Model):
    """One PDF drawn of a document: the first print, then every reprint."""

    __tablename__ = "ticket_document_prints"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("ticket_documents.id", ondelete="CASCADE"), index=True
    )
    printed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    printed_dt: Mapped[datetime] = mapped_column(default=utcnow)
    reprint: Mapped[bool] = mapped_column(default=False)

    document: Mapped[TicketDocument] = relationship(back_populates="prints")
    printed_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<TicketDocumentPrint {self.id} document={self.document_id} reprint={self.reprint}>"
