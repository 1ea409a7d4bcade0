"""Request handling of escalations: an agent's question to the specialists, and its answer."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from content.auth.roles import requires
from content.extensions import db
from content.i18n import _
from tracing_app.tickets import escalations, operations
from tracing_app.tickets.forms import AnswerForm, ConfirmForm, EscalationForm
from tracing_app.tickets.models import TicketEscalation
from tracing_app.tickets.views import ESCALATIONS, WORK, open_ticket


@requires(WORK)
def escalate_ticket(reference: str):
    """Send the ticket to the specialists' queue with a question."""
    ticket, _reason = open_ticket(reference)
    form = EscalationForm()
    if form.validate_on_submit():
        escalations.escalate(ticket, form.note.data, actor=current_user)
        db.session.commit()
        flash(_("The ticket is in the specialists' queue."), "success")
        return redirect(url_for("tickets.view_ticket", reference=ticket.reference))
    status = 400 if form.is_submitted() else 200
    return render_template("tickets/escalate.html", ticket=ticket, form=form), status


@requires(WORK)
def my_escalations():
    """The agent's escalations and the specialists' answers."""
    mine = escalations.created_by(current_user)
    return render_template("tickets/my_escalations.html", escalations=mine)


@requires(ESCALATIONS)
def list_escalations():
    """The specialists' queue (open, oldest first) and the questions this specialist took."""
    return render_template(
        "tickets/queue.html",
        queue=escalations.queue(),
        taken=escalations.taken_by(current_user),
        form=ConfirmForm(formdata=None),
    )


def _escalation_or_404(escalation_id: int) -> TicketEscalation:
    return db.get_or_404(TicketEscalation, escalation_id)


@requires(ESCALATIONS)
def take_escalation(escalation_id: int):
    """Take a question from the queue (refused if another specialist was faster)."""
    escalation = _escalation_or_404(escalation_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        escalations.take(escalation, specialist=current_user)
    except escalations.EscalationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("tickets.list_escalations"))
    db.session.commit()
    return redirect(url_for("tickets.answer_escalation", escalation_id=escalation.id))


@requires(ESCALATIONS)
def answer_escalation(escalation_id: int):
    """Read the question (audited view of the ticket) and answer it."""
    escalation = _escalation_or_404(escalation_id)
    ticket = escalation.ticket
    form = AnswerForm()
    status = 200
    if form.validate_on_submit():
        try:
            escalations.answer(
                escalation,
                form.answer.data,
                specialist=current_user,
                ticket_status=form.close_ticket.data,
            )
        except escalations.EscalationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for("tickets.list_escalations"))
        db.session.commit()
        flash(_("Answered. The agent sees your answer on the ticket."), "success")
        return redirect(url_for("tickets.list_escalations"))
    if form.is_submitted():
        status = 400
    person = operations.person_data(ticket, actor=current_user, reason="escalation")
    note = escalations.text_of(escalation, "note")
    answer = escalations.text_of(escalation, "answer")
    db.session.commit()
    return render_template(
        "tickets/answer.html",
        escalation=escalation,
        ticket=ticket,
        person=person,
        note=note,
        answer=answer,
        form=form,
        take_form=ConfirmForm(formdata=None),
    ), status
