"""The supervisors' audit log screen: filters, pages and the hash chain's status."""

from __future__ import annotations

from flask import current_app, render_template, request
from sqlalchemy import func, select

from content.auth.models import User, utcnow
from content.auth.roles import requires
from content.extensions import db
from content.i18n import _, _l
from tracing_app.audit import labels, operations
from tracing_app.audit.forms import AuditFilterForm
from tracing_app.audit.reports import describe
from tracing_app.audit.search import AuditFilter, known_actions, search_entries
from tracing_app.audit.unusual import thresholds, unusual_hours
from tracing_app.tickets.forms import choices
from tracing_app.tickets.reference import InvalidReferenceError, normalize_reference

AUDIT = "tickets.audit"
#: What the unusual-activity panel calls each watched action.
UNUSUAL_LABELS = {
    "ticket.search": _l("Ticket lookups"),
    "calls.claim": _l("Calls taken with Next call"),
}


@requires(AUDIT)
def read_audit_log():
    """Read the audit log with filters (who, ticket, action, days); verify the chain."""
    form = AuditFilterForm(request.args)
    form.action.choices = choices(
        {"": _("Any action"), **{a: labels.action_label(a) for a in known_actions()}}
    )
    where = AuditFilter()
    entries, has_next, status = [], False, 200
    page = request.args.get("page", 1, type=int)
    if form.validate():
        actor = None
        if form.actor.data:
            actor = db.session.scalar(
                select(User).where(func.lower(User.email) == form.actor.data.strip().lower())
            )
            if actor is None:
                form.actor.errors.append(_("No user has this e-mail address."))
        reference = None
        if form.reference.data:
            try:
                reference = normalize_reference(form.reference.data)
            except InvalidReferenceError:
                form.reference.errors.append(_("This is not a ticket reference."))
        if not form.errors:
            where = AuditFilter(
                actor_id=actor.id if actor else None,
                subject_id=reference,
                action=form.action.data or None,
                date_from=form.date_from.data,
                date_to=form.date_to.data,
            )
            entries, has_next = search_entries(where, page=page)
    if form.errors:
        status = 400
    verification = operations.verify_chain() if request.args.get("verify") else None
    window = current_app.config["AUDIT_UNUSUAL_WINDOW_HOURS"]
    unusual = unusual_hours(now=utcnow(), hours=window)
    actors = actor_names([*entries, *unusual])
    args = {k: v for k, v in request.args.items() if k not in ("page", "verify")}
    return render_template(
        "audit/log.html",
        form=form,
        entries=entries,
        actors=actors,
        page=page,
        has_next=has_next,
        args=args,
        verification=verification,
        # Truncation, a rewrite, a bad checkpoint: said as the CLI says it.
        verification_problem=describe(verification)
        if verification and verification.problem
        else None,
        details_text=labels.details_text,
        action_label=labels.action_label,
        reason_label=labels.reason_label,
        actor_label=labels.actor_label,
        unusual=unusual,
        unusual_labels=UNUSUAL_LABELS,
        unusual_limits=thresholds(),
        unusual_window=window,
        actor_emails=_emails({row.actor_id for row in unusual}),
    ), status


def _emails(ids: set) -> dict[int, str]:
    """E-mail addresses of staff accounts, for links that filter the log by them."""
    ids.discard(None)
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.email).where(User.id.in_(ids))).all())


def actor_names(entries) -> dict[int, str]:
    """Display names of the staff who acted (staff, not citizens: no personal data rule)."""
    ids = {entry.actor_id for entry in entries if entry.actor_id is not None}
    if not ids:
        return {}
    return dict(
        db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all()
    )
