"""Request handling of tickets: the ticket page, editing, lookup and scripts.

Tickets are named by their reference in URLs (never the id). Escalations:
:mod:`.escalation_views`. Opening one needs the access
rule of :func:`access.access_reason`; a refused or unknown reference answers 404 and
is audited, so guessing references shows nothing and leaves a trace.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from content.auth.models import User
from content.auth.roles import requires
from content.extensions import db
from content.i18n import _, _l
from tracing_app.audit import labels
from tracing_app.audit.operations import PersonalDataError, entries
from tracing_app.audit.views import actor_names
from tracing_app.protection import blind_index as bi
from tracing_app.scripts import operations as scripts
from tracing_app.scripts.models import IN_PROGRESS as FORM_IN_PROGRESS
from tracing_app.scripts.models import FormResponse
from tracing_app.tickets import access, escalations, operations, summaries
from tracing_app.tickets.forms import (
    LOOKUP_KINDS,
    STATUS_LABELS,
    AssignForm,
    ConfirmForm,
    LookupForm,
    TicketForm,
    choices,
)
from tracing_app.tickets.lookup import NAME_HEARD, PHONE_END, NameSearch, TooManyMatches, lookup
from tracing_app.tickets.models import (
    ENCRYPTED_FIELDS,
    ESCALATION_ANSWERED,
    ESCALATION_OPEN,
    ESCALATION_TAKEN,
    Ticket,
)

VIEW = "tickets.view"
WORK = "calls.work"
SUPERVISE = "calls.supervise"
LOOKUP = "tickets.lookup"
ESCALATIONS = "tickets.escalations"
FILL = "scripts.fill"

ESCALATION_STATE_LABELS = {
    ESCALATION_OPEN: _l("waiting"),
    ESCALATION_TAKEN: _l("taken"),
    ESCALATION_ANSWERED: _l("answered"),
}
#: What the history of a ticket calls each audited action (the audit screen shows codes).
ACTION_LABELS = {
    "ticket.create": _l("created"),
    "ticket.link": _l("linked to an import or a call"),
    "ticket.view": _l("opened"),
    "ticket.found": _l("found by a search"),
    "ticket.open_denied": _l("opening refused"),
    "ticket.change": _l("changed"),
    "ticket.assign": _l("assigned"),
    "ticket.contact": _l("inbound contact"),
    "ticket.script_handover": _l("script handed over"),
    "ticket.escalate": _l("escalated"),
    "ticket.escalation_take": _l("question taken by a specialist"),
    "ticket.escalation_answer": _l("question answered"),
}
ACCESS_LABELS = {
    "supervision": _l("supervision"),
    "escalation": _l("escalation"),
    "assignment": _l("assignment"),
    "lookup": _l("lookup"),
    "call": _l("a call you took"),
}


def ticket_context() -> dict:
    """Template context of the tickets pages: labels of statuses and lookup kinds."""
    return {
        "status_labels": STATUS_LABELS,
        "lookup_kinds": LOOKUP_KINDS,
        "escalation_states": ESCALATION_STATE_LABELS,
        "action_labels": ACTION_LABELS,
        "action_label": labels.action_label,
        "reason_label": labels.reason_label,
        "actor_label": labels.actor_label,
    }


def open_ticket(reference: str) -> tuple[Ticket, str]:
    """Return the ticket and why the user may open it; 404 (audited) otherwise."""
    return access.open_ticket_or_404(reference, current_user)


def _person_form_data(person: operations.PersonData, ticket: Ticket) -> dict:
    data = {field: getattr(person, field) for field in ENCRYPTED_FIELDS}
    data.update(language=ticket.language, status=ticket.status, version=str(ticket.version))
    return data


def _person_from_form(form: TicketForm) -> operations.PersonData:
    values = {field: form.stored_value(field) for field in ENCRYPTED_FIELDS}
    return operations.PersonData(language=form.language.data, **values)


# The ticket page -------------------------------------------------------------------


@requires(VIEW)
def view_ticket(reference: str):
    """Summary, personal data (audited view), script, attempts, escalations and history."""
    ticket, reason = open_ticket(reference)
    person = operations.person_data(ticket, actor=current_user, reason=reason)
    ticket_escalations = [
        (e, escalations.text_of(e, "note"), escalations.text_of(e, "answer"))
        for e in escalations.of_ticket(ticket)
    ]
    response = db.session.get(FormResponse, ticket.script_response_id or 0)
    history = entries("ticket", ticket.reference, limit=50)
    db.session.commit()
    return render_template(
        "tickets/view.html",
        ticket=ticket,
        person=person,
        access=ACCESS_LABELS.get(reason, reason),
        summary=summaries.ticket_summary(ticket),
        attempts=summaries.attempts_with_notes(ticket),
        escalations=ticket_escalations,
        history=history,
        actors=actor_names(history),
        outcome_labels=_outcome_labels(),
        response=response,
        response_open=response is not None and response.state == FORM_IN_PROGRESS,
        script_title=_script_title(response),
        can_edit=current_user.can(WORK),
        assign_form=_assign_form(ticket) if current_user.can(SUPERVISE) else None,
        can_fill=current_user.can(FILL),
        confirm_form=ConfirmForm(formdata=None),
    )


def _assign_form(ticket: Ticket, formdata=None) -> AssignForm:
    form = AssignForm(formdata=formdata, data={"agent": str(ticket.assigned_to_id or "")})
    form.agent.choices = choices(
        {"": _("Nobody"), **{str(u.id): u.display_name for u in access.assignable_agents()}}
    )
    return form


@requires(SUPERVISE)
def assign_ticket(reference: str):
    """Assign the ticket to an agent, who may then open it without a lookup."""
    ticket, _reason = open_ticket(reference)
    form = _assign_form(ticket, formdata=request.form)
    if not form.validate_on_submit():
        abort(400)
    agent = db.session.get(User, int(form.agent.data)) if form.agent.data else None
    access.assign(ticket, agent, actor=current_user)
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("tickets.view_ticket", reference=ticket.reference))


def _outcome_labels() -> dict:
    try:
        from tracing_app.calls.forms import OUTCOME_LABELS
    except ImportError:  # the calls package names its outcomes itself
        return {}
    return OUTCOME_LABELS


def _script_title(response: FormResponse | None) -> str | None:
    if response is None:
        return None
    from tracing_app.scripts.page_context import script_title

    return script_title(response.script_version, response.language)


@requires(WORK)
def edit_ticket(reference: str):
    """Edit personal data, notes and status; a stale save shows both versions (409)."""
    ticket, _reason = open_ticket(reference)
    if request.method == "GET":
        person = operations.person_data(ticket, actor=current_user, reason="edit")
        db.session.commit()
        form = TicketForm(data=_person_form_data(person, ticket))
        return render_template("tickets/edit.html", ticket=ticket, form=form)
    form = TicketForm()
    if not form.validate_on_submit():
        return render_template("tickets/edit.html", ticket=ticket, form=form), 400
    mine = _person_from_form(form)
    try:
        changed = operations.update_ticket(
            ticket,
            mine,
            actor=current_user,
            expected_version=int(form.version.data),
            status=form.status.data,
        )
    except operations.TicketConflict as conflict:
        return _conflict(conflict.ticket, form, mine)
    db.session.commit()
    if changed:
        flash(_("The ticket is saved."), "success")
    else:
        flash(_("Nothing changed."), "info")
    return redirect(url_for("tickets.view_ticket", reference=ticket.reference))


def _conflict(ticket: Ticket, form: TicketForm, mine: operations.PersonData):
    """Show what the agent typed beside the saved version; the form keeps their values.

    The form's version becomes the saved one, so saving again applies the agent's values
    on top of it (after they have seen what the other person changed).
    """
    db.session.rollback()
    ticket = db.session.get(Ticket, ticket.id)
    theirs = operations.person_data(ticket, actor=current_user, reason="edit conflict")
    db.session.commit()
    rows = []
    for field in ENCRYPTED_FIELDS:
        rows.append(
            (form[field].label.text, _shown(getattr(mine, field)), _shown(getattr(theirs, field)))
        )
    rows.append((form.language.label.text, mine.language, ticket.language))
    rows.append(
        (
            form.status.label.text,
            str(STATUS_LABELS.get(form.status.data, form.status.data)),
            str(STATUS_LABELS[ticket.status]),
        )
    )
    form.version.data = str(ticket.version)
    flash(
        _(
            "Someone else saved this ticket while you were editing it. Compare, then save "
            "again: your values are kept below."
        ),
        "error",
    )
    return render_template("tickets/conflict.html", ticket=ticket, form=form, rows=rows), 409


def _shown(value) -> str:
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


@requires(FILL)
def ticket_script(reference: str):
    """Continue the ticket's script form, or start the inbound script for the ticket."""
    ticket, _reason = open_ticket(reference)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    response = db.session.get(FormResponse, ticket.script_response_id or 0)
    continuing = request.form.get("action") == "continue" and response is not None
    if continuing and response.state == FORM_IN_PROGRESS:
        operations.hand_over_script(ticket, response, agent=current_user)
        operations.record_contact(ticket, actor=current_user, script="continue")
        db.session.commit()
        return redirect(url_for("scripts.fill_form", response_id=response.id))
    version = _inbound_version()
    if version is None:
        flash(_("The inbound script is not published."), "error")
        return redirect(url_for("tickets.view_ticket", reference=ticket.reference))
    try:
        response = scripts.start_form(version, agent=current_user, language=ticket.language)
    except scripts.ScriptError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("tickets.view_ticket", reference=ticket.reference))
    operations.link_script_response(ticket, response.id, actor=current_user)
    operations.record_contact(ticket, actor=current_user, script="start")
    db.session.commit()
    return redirect(url_for("scripts.fill_form", response_id=response.id))


def _inbound_version():
    form_id = current_app.config.get("TICKETS_INBOUND_SCRIPT", "inbound_callback")
    script = next((s for s in scripts.list_scripts() if s.form_id == form_id), None)
    return scripts.current_version(script) if script is not None else None


# Lookup ----------------------------------------------------------------------------


def _lookup_value(form: LookupForm) -> object:
    """The value :func:`lookup` takes for the kind chosen in the form."""
    kind = form.kind.data
    if kind == bi.NAME_BIRTH_DATE:
        return (form.last_name.data, form.birth_date.data)
    if kind == NAME_HEARD:
        return NameSearch(
            form.last_name.data,
            birth_date=form.birth_date.data,
            postcode=(form.postcode.data or "").strip() or None,
            year_tolerance=form.year_tolerance.data,
        )
    if kind == PHONE_END:
        return (form.value.data, form.last_name.data)
    return form.value.data


@requires(LOOKUP)
def lookup_tickets():
    """Find the ticket of a citizen who calls: reason required, audited, ranked."""
    form = LookupForm()
    results = None
    status = 200
    if form.is_submitted():
        if form.validate():
            kind = form.kind.data
            value = _lookup_value(form)
            try:
                found = lookup(kind, value, actor=current_user, reason=form.reason.data.strip())
            except TooManyMatches:
                db.session.commit()  # the search stays recorded
                form.kind.errors.append(
                    _("Too many people match. Add another criterion, such as the birth date.")
                )
                status = 400
            except PersonalDataError:
                db.session.rollback()
                form.reason.errors.append(
                    _("Give the reason without personal data (no numbers, no e-mail).")
                )
                status = 400
            except bi.NormalizationError:
                db.session.rollback()
                form.value.errors.append(_("This value is not valid for this kind of search."))
                status = 400
            else:
                results = [summaries.ticket_summary(ticket) for ticket in found]
                db.session.commit()
        else:
            status = 400
    return render_template("tickets/lookup.html", form=form, results=results), status
