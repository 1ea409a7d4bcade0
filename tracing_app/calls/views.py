"""Request handling of call lists, the agents' side: next call, pre-dial summary, outcome.

The supervisors' side is in ``supervisor_views.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.routing import BuildError

from content.auth.models import utcnow
from content.auth.roles import requires
from content.extensions import db
from content.i18n import _, _l
from content.observability.metrics import count_claim
from content.transactions import commit_keeping_loaded
from tracing_app.audit import operations as audit
from tracing_app.calls import (
    agent_states,
    claims,
    desktop_markup,
    operations,
    outcome_markup,
    script_start,
)
from tracing_app.calls.forms import (
    OUTCOME_LABELS,
    ButtonForm,
    OutcomeForm,
    button_pressed,
    shown_outcome_form,
    submitted_outcome_form,
)
from tracing_app.calls.models import (
    CLAIMED,
    QUEUED,
    CallOrder,
)
from tracing_app.calls.own_call import (
    OwnCall,
    own_call,
    own_call_for_script,
    own_order_for_outcome,
)
from tracing_app.scripts import operations as scripts
from tracing_app.scripts import page_context
from tracing_app.scripts import views as script_views
from tracing_app.telephony import dialer
from tracing_app.tickets import operations as tickets
from tracing_app.tickets import summaries

WORK = "calls.work"
SUPERVISE = "calls.supervise"
FILL = "scripts.fill"
#: Why the agent sees the phone number (audit reason code, never personal data).
DIAL_REASON = "call"
#: Lease given when the agent opens the call script (the script's tab does not renew it).
SCRIPT_LEASE = timedelta(minutes=45)


#: What the buttons that change the agent's state say.
STATE_ACTIONS = {
    agent_states.AVAILABLE: _l("I am available"),
    agent_states.BREAK: _l("Take a break"),
    agent_states.OFFLINE: _l("Go offline"),
}


def calls_context() -> dict:
    """Template context of the calls pages."""
    return {
        "outcome_labels": OUTCOME_LABELS,
        "ticket_url": _ticket_url,
        "ticket_action_url": _ticket_action_url,
        "state_labels": agent_states.STATE_LABELS,
    }


def _ticket_action_url(endpoint: str, ticket) -> str | None:
    """Link to another package's page of the call's ticket (escalate, documents), if any."""
    try:
        return url_for(endpoint, reference=ticket.reference)
    except BuildError:
        return None


def _ticket_url(ticket) -> str | None:
    """Link to the tickets package's ticket page (a ticket or its reference), if it exists."""
    reference = ticket if isinstance(ticket, str) else ticket.reference
    try:
        return url_for("tickets.view_ticket", reference=reference)
    except BuildError:
        return None


def current_time() -> datetime:
    """The time of the request (UTC); one place to read the clock."""
    return utcnow()


def current_agent():
    """The signed-in user as a model object (operations compare and store it)."""
    return current_user._get_current_object()


# The agent's side -----------------------------------------------------------------------


@requires(WORK)
def agent_home():
    """The agent's start: the calls they hold, and the button for the next one."""
    held = db.session.scalars(
        select(CallOrder)
        .where(CallOrder.state == CLAIMED, CallOrder.claimed_by_id == current_user.id)
        .order_by(CallOrder.claimed_dt)
    ).all()
    callbacks = db.session.scalars(
        select(CallOrder)
        .where(
            CallOrder.state == QUEUED,
            CallOrder.reserved_for_id == current_user.id,
            CallOrder.reserved_until_dt > current_time(),
        )
        .order_by(CallOrder.due_dt)
    ).all()
    my_state = agent_states.current(current_user.id, now=current_time())
    return render_template(
        "calls/home.html",
        held=held,
        callbacks=callbacks,
        form=ButtonForm(),
        my_state=my_state,
        may_take_next_call=my_state.state not in agent_states.NO_NEXT_CALL,
        chosen_states=agent_states.CHOSEN,
        state_actions=STATE_ACTIONS,
    )


@requires(WORK)
def set_agent_state():
    """The agent makes themselves available, goes on a break or offline."""
    form = ButtonForm()
    state = request.form.get("state", "")
    if not form.validate_on_submit() or state not in agent_states.CHOSEN:
        abort(400)
    held = db.session.scalar(
        select(func.count())
        .select_from(CallOrder)
        .where(CallOrder.state == CLAIMED, CallOrder.claimed_by_id == current_user.id)
    )
    if held:
        flash(_("Save the outcome of your call or release it first."), "error")
        return redirect(url_for("calls.agent_home"))
    agent_states.set_state(current_user.id, state, now=current_time())
    db.session.commit()
    flash(_("Your state is now: %(state)s.", state=agent_states.STATE_LABELS[state]), "success")
    return redirect(url_for("calls.agent_home"))


@requires(WORK)
def claim_call():
    """Claim the most urgent due call (with a lease) and show it."""
    if not button_pressed():
        abort(400)
    # The claim needs a session without an open transaction (SQLite: no open write; both:
    # no pooled connection held while the claim takes its own). Nothing was written yet
    # in this request (the user loader commits its own write), so ending the transaction
    # with a commit equals a rollback, and keeps the signed-in user loaded.
    commit_keeping_loaded()
    # The agent's state is checked and changed in the claim's transaction (refused on a
    # break or offline; on a call; available when nothing is due and nothing is held).
    claim = claims.next_call(current_agent(), now=current_time(), agent_state=True)
    if claim.refused:
        flash(_("You are on a break or offline: make yourself available first."), "error")
        return redirect(url_for("calls.agent_home"))
    if claim.order_id is None:
        # Pressing "Next call" ended the wrap-up: the agent is ready for the next call.
        flash(_("No call is due right now."), "info")
        return redirect(url_for("calls.agent_home"))
    if claim.held:
        flash(
            _(
                "You still hold this call. Save its outcome or put it back in the queue "
                "before you take the next one."
            ),
            "info",
        )
        return redirect(url_for("calls.view_call", order_id=claim.order_id))
    count_claim()
    # Claims are counted per hour on the audit screen (unusual activity). The claim
    # itself opens the ticket for as long as it lives (tickets.access), no grant.
    audit.record(
        claims.CLAIM_ACTION,
        actor=current_agent(),
        subject_type="call_order",
        subject_id=claim.order_id,
    )
    commit_keeping_loaded()  # the claim's audit entry
    return redirect(url_for("calls.view_call", order_id=claim.order_id))


@requires(WORK)
def view_call(order_id: int):
    """The call desktop: why we call, earlier attempts, the number, the script, the outcome."""
    call = own_call(order_id)
    return _render_call(call)


def _render_call(
    call: OwnCall, form: OutcomeForm | None = None, status: int = 200, *, script_state=None
):
    """Render the call desktop; ``form`` is a submitted outcome form (else the untouched one)."""
    order = call.order
    summary = phone = None
    # The ticket's attempts (every order of it) give the order's own and the summary's; the
    # desktop's own-call read has them already (the outcome's does not).
    history = call.attempts
    if order.ticket is None:
        history = None
    elif history is None:
        history = summaries.ticket_attempts(order.ticket)
    own = (
        [a for a in history if a.order_id == order.id]
        if history is not None
        else operations.order_attempts(order)
    )
    attempts = [(a, operations.attempt_note(a)) for a in own]
    response = call.response if current_user.can(FILL) else None
    try:
        # A call with its script open lasts ~20 minutes: the script's lease, not the short one.
        lease = SCRIPT_LEASE if response is not None else claims.DEFAULT_LEASE
        claims.keep_lease(order, current_agent(), now=current_time(), lease=lease)
    except claims.NotClaimedByAgent:
        # The failed renewal wrote nothing; what the request wrote before stays (the script
        # panel's answers, saved with the desktop's commit: the form is the agent's own).
        db.session.commit()
        abort(404)
    if order.ticket is not None:
        # Showing the number is a view of personal data: audited by the tickets package.
        # Last before the commit: the audit append lock is held until then. One decryption
        # serves both the number and the summary.
        person = tickets.person_data(
            order.ticket, actor=current_agent(), reason=DIAL_REASON, keys=call.ticket_keys()
        )
        summary = summaries.ticket_summary(order.ticket, person=person, attempts=history)
        phone = person.phone
    commit_keeping_loaded()
    script = {}
    if response is not None:
        state = script_state or scripts.state(response)
        script = page_context.form_context(
            response,
            state,
            check=script_state is not None and script_views.shows_check("POST"),
            action=url_for("calls.save_script", order_id=order.id),
        )
    links = {}
    if order.ticket is not None:
        links = {
            "ticket": _ticket_url(order.ticket) if summary else None,
            "escalate": _ticket_action_url("tickets.escalate_ticket", order.ticket),
            "documents": _ticket_action_url("documents.list_documents", order.ticket),
        }
    html = desktop_markup.desktop(
        order,
        summary=summary,
        phone=phone,
        dial_url=dialer.dial_url(phone, order_id=order.id, attempt=order.attempts)
        if phone
        else None,
        dial_external=dialer.opens_page(),
        attempts=attempts,
        outcome_html=outcome_markup.untouched_outcome_html(order)
        if form is None
        else outcome_markup.render_outcome(order, form),
        script=script,
        has_script=order.campaign.script is not None,
        links=links,
    )
    return render_template("calls/call.html", desktop_html=html), status


@requires(WORK)
def record_outcome(order_id: int):
    """Save how the call ended; the retry rules schedule what comes next."""
    order, attempt_id = own_order_for_outcome(order_id)
    form = submitted_outcome_form()
    error = None
    if form.validate_on_submit():
        callback_dt = _local_to_utc(form.callback_at.data) if form.callback_at.data else None
        try:
            operations.record_outcome(
                order,
                current_agent(),
                form.outcome.data,
                now=current_time(),
                note=form.note.data,
                callback_dt=callback_dt,
                callback_anyone=form.callback_by.data == "anyone",
                attempt_id=attempt_id,
            )
        except operations.CallError as exc:
            db.session.rollback()
            error = str(exc)
        except claims.NotClaimedByAgent:
            db.session.rollback()
            flash(_("This call is no longer yours: its lease expired."), "error")
            return redirect(url_for("calls.agent_home"))
        else:
            _after_call(agent_states.WRAP_UP)
            db.session.commit()
            flash(_("Outcome saved."), "success")
            return redirect(url_for("calls.agent_home"))
    return _render_call(own_call(order_id), shown_outcome_form(form, error), 400)


def _after_call(state: str) -> None:
    """Put the agent in ``state`` after a call ended, unless they still hold another."""
    agent_states.set_state(current_user.id, state, now=current_time(), unless_holding=True)


def _local_to_utc(moment: datetime) -> datetime:
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return moment.replace(tzinfo=zone).astimezone(UTC)


@requires(WORK)
def release_call(order_id: int):
    """Give the call back to the queue without an outcome."""
    order = own_call(order_id).order
    if button_pressed():
        claims.release_call(order, current_agent())
        _after_call(agent_states.AVAILABLE)
        db.session.commit()
        flash(_("The call is back in the queue."), "success")
    return redirect(url_for("calls.agent_home"))


@requires(WORK)
def open_script(order_id: int):
    """Start the campaign's script for this call (or continue the ticket's own form) here."""
    # A case call lasts ~20 minutes: keep the call that long and more, in the read (first:
    # the audit entry of a new form holds the append lock until the commit). An abort
    # below rolls the lease back with the rest.
    call = own_call_for_script(order_id, now=current_time(), lease=SCRIPT_LEASE)
    order = call.order
    if not button_pressed():
        abort(400)
    if not current_user.can(FILL):
        abort(403)
    response = call.response
    if response is None:
        version = call.script_version
        if version is None:
            flash(_("This campaign has no published call script."), "error")
            return redirect(url_for("calls.view_call", order_id=order.id))
        ticket = order.ticket
        if ticket is not None and script_start.in_one_statement():
            script_start.start_linked_form(
                version, ticket, agent=current_agent(), response_id=call.reserved_id
            )
        else:
            language = ticket.language if ticket is not None else current_app.config["LANGUAGES"][0]
            response = scripts.start_form(
                version, agent=current_agent(), language=language, response_id=call.reserved_id
            )
            if ticket is not None:
                tickets.link_script_response(ticket, response.id, actor=current_agent())
    commit_keeping_loaded()
    return redirect(url_for("calls.view_call", order_id=order.id, _anchor="script"))


@requires(WORK)
def save_script(order_id: int):
    """Save the script panel of the call desktop (the page works without JavaScript)."""
    call = own_call(order_id)
    order = call.order
    if not current_user.can(FILL):
        abort(403)
    response = call.response
    if response is None:
        abort(404)  # no script open for this call (completed, or another agent's)
    result = script_views.submit_answers(response)
    if result.outcome == "refused":
        return redirect(url_for("calls.view_call", order_id=order.id))
    if result.outcome == "complete":
        db.session.commit()
        # The form is done; the call is not: its outcome is still to be recorded.
        return redirect(url_for("calls.view_call", order_id=order.id, _anchor="outcome"))
    # Saved (or stale): the desktop below commits once, the answers with its audit entry.
    return _render_call(call, status=result.status, script_state=result.state)
