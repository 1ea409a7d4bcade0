"""Request handling of the citizen's copy: a page with the two downloads."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from content.auth.roles import requires
from content.extensions import db
from tracing_app.subject_access import operations, render
from tracing_app.subject_access.forms import SubjectAccessForm
from tracing_app.tickets.access import open_ticket_or_404

PERMISSION = "tickets.subject_access"


@requires(PERMISSION)
def subject_access(reference: str):
    """Show the page; on POST, download the export in the chosen format (audited)."""
    ticket, _reason = open_ticket_or_404(reference, current_user)
    form = SubjectAccessForm()
    if not form.validate_on_submit():
        return render_template("subject_access/request.html", ticket=ticket, form=form)
    fmt = "json" if form.json.data else "pdf"
    data = operations.export(ticket, fmt, actor=current_user._get_current_object())
    db.session.commit()
    body = operations.to_json(data) if fmt == "json" else render.pdf(data)
    kind = "application/json" if fmt == "json" else "application/pdf"
    return body, {
        "Content-Type": kind,
        "Content-Disposition": f'attachment; filename="personal-data-{ticket.reference}.{fmt}"',
        "Cache-Control": "no-store",  # personal data: never in a shared or disk cache
    }
