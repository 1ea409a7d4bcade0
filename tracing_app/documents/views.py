"""Request handling of documents: issue and print from a ticket; public verification."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_login import current_user

from content.auth.roles import PUBLIC, requires
from content.extensions import db
from content.i18n import _, _l, language_names
from tracing_app.audit.operations import record
from tracing_app.documents import operations
from tracing_app.documents.forms import IssueDocumentForm, PrintDocumentForm, RevokeDocumentForm
from tracing_app.documents.models import TicketDocument
from tracing_app.tickets.access import may_open, open_ticket_or_404
from tracing_app.tickets.models import Ticket

ISSUE = "documents.issue"

STATE_LABELS = {
    operations.VALID: _l("Valid"),
    operations.REVOKED: _l("Revoked"),
    operations.EXPIRED: _l("Expired"),
    operations.NOT_YET_VALID: _l("Not valid yet"),
}


def partial_context() -> dict:
    """What documents/_ticket_documents.html needs on any page (the ticket page includes it)."""
    return {"document_kind_labels": operations.KIND_LABELS}


def template_context() -> dict:
    """Names of kinds and states, dates and codes, for the blueprint's own templates."""
    return {
        "document_kind_labels": operations.KIND_LABELS,
        "document_state_labels": STATE_LABELS,
        "format_document_code": operations.format_code,
        "format_document_date": format_date,
        "language_names": language_names,
    }


def _open_ticket(reference: str) -> Ticket:
    """Return a ticket the user may open; else 404 (audited), as on the ticket page."""
    ticket, _reason = open_ticket_or_404(reference, current_user)
    return ticket


def _open_document(document_id: int) -> TicketDocument:
    """Return a document of a ticket the user may open; else 404 (audited).

    Unknown documents and those of tickets the user may not open answer alike, so
    document numbers tell nothing about which exist.
    """
    document = db.session.get(TicketDocument, document_id)
    if document is None or not may_open(current_user, document.ticket):
        db.session.rollback()
        record(
            "document.open_denied",
            actor=current_user,
            subject_type="document",
            subject_id=document_id,
            details={"exists": document is not None},
        )
        db.session.commit()
        abort(404)
    return document


@requires(ISSUE)
def list_documents(reference: str):
    """The documents issued for a ticket, with their prints."""
    ticket = _open_ticket(reference)
    return render_template(
        "documents/list.html", ticket=ticket, documents=operations.documents_of(ticket)
    )


@requires(ISSUE)
def issue_document(reference: str):
    """Issue a quarantine certificate or a test prescription in the citizen's language."""
    ticket = _open_ticket(reference)
    form = IssueDocumentForm()
    if form.validate_on_submit():
        try:
            document = operations.issue_document(
                ticket,
                kind=form.kind.data,
                actor=current_user._get_current_object(),
                today=operations.today(),
                valid_from=form.valid_from.data,
                valid_until=form.valid_until.data,
                test_date=form.test_date.data,
            )
        except operations.DocumentError as exc:
            db.session.rollback()
            getattr(form, exc.field or "kind").errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Document issued. Download the PDF to print or send it."), "success")
            return redirect(url_for("documents.view_document", document_id=document.id))
    status = 400 if form.is_submitted() else 200
    return render_template("documents/issue.html", ticket=ticket, form=form), status


@requires(ISSUE)
def view_document(document_id: int):
    """One document: its state, dates and every print."""
    document = _open_document(document_id)
    return render_template(
        "documents/document.html",
        document=document,
        ticket=document.ticket,
        state=operations.verification_state(document, operations.today()),
        valid_until=operations.valid_until(document),
        print_form=PrintDocumentForm(),
        revoke_form=RevokeDocumentForm(),
    )


@requires(ISSUE)
def print_document(document_id: int):
    """Download the PDF; the first download is the print, the next ones are reprints."""
    document = _open_document(document_id)
    if not PrintDocumentForm().validate_on_submit():
        abort(400)
    if document.revoked:
        flash(_("This document was revoked: it cannot be printed again."), "error")
        return redirect(url_for("documents.view_document", document_id=document.id))
    verify_url = url_for(
        "documents.verify_document",
        lang_code=document.language,
        code=document.code,
        _external=True,
    )
    pdf = operations.print_document(
        document, actor=current_user._get_current_object(), verify_url=verify_url
    )
    db.session.commit()
    name = f"{document.kind.replace('_', '-')}-{document.ticket.reference}.pdf"
    return pdf, {
        "Content-Type": "application/pdf",
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store",  # personal data: never in a shared or disk cache
    }


@requires(ISSUE)
def revoke_document(document_id: int):
    """Withdraw a document: its code then verifies as revoked."""
    document = _open_document(document_id)
    if RevokeDocumentForm().validate_on_submit():
        operations.revoke_document(document, actor=current_user._get_current_object())
        db.session.commit()
        flash(_("Document revoked."), "success")
    return redirect(url_for("documents.view_document", document_id=document.id))


@requires(PUBLIC)
def find_document():
    """Anyone types the verification code printed on a document."""
    typed = request.args.get("code")
    error = None
    if typed is not None:
        code = operations.normalize_code(typed)
        if code is not None:
            return redirect(url_for("documents.verify_document", code=code))
        error = _("A verification code has 20 letters and digits, as printed on the document.")
    return render_template("documents/find.html", typed=typed or "", error=error), (
        400 if error else 200
    )


@requires(PUBLIC)
def verify_document(code: str):
    """What anyone holding the code may know: kind, state, dates and initials only."""
    document = operations.find_by_code(code)
    if document is None:
        response = render_template("documents/verify.html", document=None, code=code)
        return response, 404, {"Cache-Control": "no-store"}
    response = render_template(
        "documents/verify.html",
        document=document,
        code=document.code,
        state=operations.verification_state(document, operations.today()),
        valid_until=operations.valid_until(document),
    )
    # Never cached: a revocation must show at once.
    return response, 200, {"Cache-Control": "no-store"}
