"""Issue, print, revoke and verify the documents of a ticket.

A document's fixed facts (kind, language, dates, code, holder's initials) are stored at
issue; its PDF is drawn again at every print from those facts and the ticket's personal
data, decrypted for that moment only. Every issue, print, reprint and revocation goes to
the audit log with ids and kinds only, never a personal value.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale, format_date
from sqlalchemy import select

from content.auth.models import utcnow
from content.extensions import db
from content.i18n import _, _l
from content.pdf import build_pdf
from tracing_app.audit.operations import record
from tracing_app.documents.models import (
    DOCUMENT_KINDS,
    QUARANTINE_CERTIFICATE,
    TEST_PRESCRIPTION,
    TicketDocument,
    TicketDocumentPrint,
)
from tracing_app.tickets.operations import person_data

#: Crockford's base 32: no I, L, O, U, so a code read aloud or typed has no look-alikes.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: 20 symbols of 5 bits: 100 random bits, far beyond guessing at any request rate.
CODE_LENGTH = 20
CODE_GROUP = 4
#: The longest quarantine a certificate may cover (a typo in a year is caught).
MAX_QUARANTINE = timedelta(days=60)
#: How far back a quarantine or a test may start (a certificate issued late).
MAX_BACKDATING = timedelta(days=30)
#: A prescription is good from the test date until this many days after it.
PRESCRIPTION_GRACE = timedelta(days=14)

KIND_LABELS = {
    QUARANTINE_CERTIFICATE: _l("Quarantine certificate"),
    TEST_PRESCRIPTION: _l("Test prescription"),
}

# States of a document as the verification page tells them.
VALID = "valid"
REVOKED = "revoked"
EXPIRED = "expired"
NOT_YET_VALID = "not_yet_valid"


class DocumentError(ValueError):
    """A document cannot be issued as asked; the message is for the user (no personal data)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def new_code(random_choice=secrets.choice) -> str:
    """Return a fresh verification code (``CODE_LENGTH`` symbols, no separators)."""
    return "".join(random_choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """Return a code in groups of four for reading: ``7K3M-9QXD-…``."""
    return "-".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


def normalize_code(text: str) -> str | None:
    """Return the stored form of a typed code (case, spaces, dashes, O/I/L forgiven), or None."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -./")
    cleaned = cleaned.translate(str.maketrans("OIL", "011"))
    if len(cleaned) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in cleaned):
        return None
    return cleaned


def initials(first_name: str | None, last_name: str | None) -> str:
    """Return "A. P." from the names (each part of a double first name counts: "J.-P.")."""
    parts = []
    for name in (first_name, last_name):
        words = (name or "").replace("-", " ").split()
        if words:
            parts.append(" ".join(f"{word[0].upper()}." for word in words[:2]))
    return " ".join(parts) or "—"


def check_dates(
    kind: str,
    *,
    today: date,
    valid_from: date | None = None,
    valid_until: date | None = None,
    test_date: date | None = None,
) -> None:
    """Refuse dates that make no sense for the kind of document.

    :raise DocumentError: naming the field at fault.
    """
    if kind not in DOCUMENT_KINDS:
        raise DocumentError(_("Choose a kind of document."), "kind")
    if kind == QUARANTINE_CERTIFICATE:
        if valid_from is None:
            raise DocumentError(_("Enter the first day of the quarantine."), "valid_from")
        if valid_until is None:
            raise DocumentError(_("Enter the last day of the quarantine."), "valid_until")
        if valid_from < today - MAX_BACKDATING:
            raise DocumentError(
                _("The quarantine cannot start more than 30 days ago."), "valid_from"
            )
        if valid_until < valid_from:
            raise DocumentError(_("The last day cannot come before the first day."), "valid_until")
        if valid_until - valid_from > MAX_QUARANTINE:
            raise DocumentError(_("A quarantine cannot last more than 60 days."), "valid_until")
    else:
        if test_date is None:
            raise DocumentError(_("Enter the date of the test."), "test_date")
        if test_date < today - MAX_BACKDATING or test_date > today + MAX_QUARANTINE:
            raise DocumentError(
                _("The test date must be within 30 days before and 60 days after today."),
                "test_date",
            )


def issue_document(
    ticket,
    *,
    kind: str,
    actor,
    today: date,
    valid_from: date | None = None,
    valid_until: date | None = None,
    test_date: date | None = None,
) -> TicketDocument:
    """Issue a document for the person of a ticket, in the ticket's language (flushed).

    The caller checks that ``actor`` may open the ticket.
    :raise DocumentError: when the dates do not fit the kind.
    """
    check_dates(
        kind, today=today, valid_from=valid_from, valid_until=valid_until, test_date=test_date
    )
    person = person_data(ticket, actor=actor, reason="document issue")
    is_quarantine = kind == QUARANTINE_CERTIFICATE
    document = TicketDocument(
        ticket=ticket,
        kind=kind,
        code=_unused_code(),
        language=ticket.language,
        valid_from=valid_from if is_quarantine else None,
        valid_until=valid_until if is_quarantine else None,
        test_date=None if is_quarantine else test_date,
        holder_initials=initials(person.first_name, person.last_name),
        issued_by_id=actor.id,
        issued_dt=utcnow(),
    )
    db.session.add(document)
    db.session.flush()
    _audit("document.issued", document, actor)
    return document


def _unused_code() -> str:
    """Draw codes until one is free (a clash of 100 random bits does not happen; be sure)."""
    while True:
        code = new_code()
        if db.session.scalar(select(TicketDocument.id).where(TicketDocument.code == code)) is None:
            return code


def print_document(document: TicketDocument, *, actor, verify_url: str) -> bytes:
    """Draw the PDF of a document and record the print (a reprint after the first); flushed.

    :param verify_url: the absolute URL of the public verification page (the QR code).
    """
    reprint = bool(document.prints)
    pdf = document_pdf(document, actor=actor, verify_url=verify_url)
    db.session.add(
        TicketDocumentPrint(
            document=document, printed_by_id=actor.id, printed_dt=utcnow(), reprint=reprint
        )
    )
    db.session.flush()
    _audit("document.reprinted" if reprint else "document.printed", document, actor)
    return pdf


def revoke_document(document: TicketDocument, *, actor) -> None:
    """Withdraw a document: from now on its code verifies as revoked (flushed)."""
    if document.revoked:
        return
    document.revoked_dt = utcnow()
    document.revoked_by_id = actor.id
    db.session.flush()
    _audit("document.revoked", document, actor)


def _audit(action: str, document: TicketDocument, actor) -> None:
    record(
        action,
        actor=actor,
        subject_type="ticket",
        subject_id=document.ticket.reference,
        details={"document_id": document.id, "kind": document.kind},
    )


@dataclass(frozen=True)
class DocumentText:
    """What a PDF says, already in the document's language."""

    title: str
    fields: list[tuple[str, str]]
    paragraph: str


def document_text(document: TicketDocument, person, reference: str) -> DocumentText:
    """Return the texts of a document in its own language (not the reader's)."""
    with force_locale(document.language):
        name = " ".join(part for part in (person.first_name, person.last_name) if part)
        fields = [(_("Name"), name or "—")]
        if person.birth_date is not None:
            fields.append((_("Date of birth"), format_date(person.birth_date, "long")))
        if document.kind == QUARANTINE_CERTIFICATE:
            title = _("Quarantine certificate")
            fields += [
                (_("First day of quarantine"), format_date(document.valid_from, "full")),
                (_("Last day of quarantine"), format_date(document.valid_until, "full")),
            ]
            paragraph = _(
                "The person named above must stay in quarantine from the first to the last "
                "day shown, on the instruction of the contact-tracing centre. This "
                "certificate may be shown to an employer or a school; it does not say why."
            )
        else:
            title = _("Test prescription")
            if person.national_number:
                fields.append((_("National register number"), person.national_number))
            fields.append((_("Date of the test"), format_date(document.test_date, "full")))
            paragraph = _(
                "Prescription for a test at a test centre, free of charge, on the date shown "
                "or within 14 days after it. Bring this document and your identity card."
            )
        fields += [
            (_("Ticket reference"), reference),
            (_("Issued on"), format_date(document.issued_dt, "long")),
            (_("Verification code"), format_code(document.code)),
        ]
        paragraph += "\n\n" + _(
            "Anyone can check that this document is genuine and still valid: scan the QR "
            "code or open the address below."
        )
        return DocumentText(title, fields, paragraph)


def document_pdf(document: TicketDocument, *, actor, verify_url: str) -> bytes:
    """Return the PDF of a document (decrypts the ticket's personal data: audited)."""
    ticket = document.ticket
    person = person_data(ticket, actor=actor, reason="document print")
    text = document_text(document, person, ticket.reference)
    return build_pdf(
        title=text.title,
        fields=text.fields,
        paragraph=text.paragraph,
        qr_url=verify_url,
        language=document.language,
    )


def documents_of(ticket) -> list[TicketDocument]:
    """Return the documents of a ticket, newest first."""
    query = (
        select(TicketDocument)
        .where(TicketDocument.ticket_id == ticket.id)
        .order_by(TicketDocument.id.desc())
    )
    return list(db.session.scalars(query))


def find_by_code(text: str) -> TicketDocument | None:
    """Return the document of a verification code as typed or scanned, or None."""
    code = normalize_code(text)
    if code is None:
        return None
    return db.session.scalar(select(TicketDocument).where(TicketDocument.code == code))


def verification_state(document: TicketDocument, today: date) -> str:
    """Return what the public page says: valid, revoked, expired or not yet valid."""
    if document.revoked:
        return REVOKED
    if document.kind == QUARANTINE_CERTIFICATE:
        if today < document.valid_from:
            return NOT_YET_VALID
        if today > document.valid_until:
            return EXPIRED
    else:
        if today < document.test_date:
            return NOT_YET_VALID
        if today > document.test_date + PRESCRIPTION_GRACE:
            return EXPIRED
    return VALID


def valid_until(document: TicketDocument) -> date:
    """Return the last day a document is good for (a prescription: its grace period)."""
    if document.kind == QUARANTINE_CERTIFICATE:
        return document.valid_until
    return document.test_date + PRESCRIPTION_GRACE


def today() -> date:
    """Return today's date in the site's time zone (Belgium)."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.now(zone).date()
