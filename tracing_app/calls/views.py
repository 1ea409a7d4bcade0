"""Request handling of call lists: agents take calls, supervisors run campaigns."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.routing import BuildError
from wtforms.fields.choices import SelectChoice

from content.auth.models import utcnow
from content.auth.roles import requires
from content.extensions import db
from content.gates import access_denied
from content.i18n import _
from tracing_app.calls import importer, operations, stats
from tracing_app.calls.forms import (
    OUTCOME_LABELS,
    ButtonForm,
    CampaignForm,
    ImportForm,
    OutcomeForm,
)
from tracing_app.calls.models import (
    BUSY,
    CLAIMED,
    NO_ANSWER,
    QUEUED,
    WRONG_NUMBER,
    CallOrder,
    Campaign,
)
from tracing_app.scripts import operations as scripts
from tracing_app.scripts.models import IN_PROGRESS, FormResponse, Script
from tracing_app.tickets import operations as tickets

WORK = "calls.work"
SUPERVISE = "calls.supervise"
#: Why the agent sees the phone number (audit reason code, never personal data).
DIAL_REASON = "call"
#: Lease given when the agent opens the call script (the script's tab does not renew it).
SCRIPT_LEASE = timedelta(minutes=45)


def calls_context() -> dict:
    """Template context of the calls pages."""
    return {"outcome_labels": OUTCOME_LABELS, "ticket_url": _ticket_url}


def _ticket_url(ticket) -> str | None:
    # The ticket page belongs to the tickets blueprint; link to it when it exists.
    try:
        return url_for("tickets.view_ticket", reference=ticket.reference)
    except BuildError:
        return None


def _workspace_gate() -> None:
    """Keep agents without what the workspace gate asks (a valid certificate) out."""
    reasons = access_denied(current_user, "workspace")
    if reasons:
        abort(403, description=" ".join(reasons))


def _now() -> datetime:
    return utcnow()


def _agent():
    return current_user._get_current_object()


# The agent's side -----------------------------------------------------------------------


@requires(WORK)
def agent_home():
    """The agent's start: the calls they hold, and the button for the next one."""
    _workspace_gate()
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
            CallOrder.reserved_until_dt > _now(),
        )
        .order_by(CallOrder.due_dt)
    ).all()
    return render_template("calls/home.html", held=held, callbacks=callbacks, form=ButtonForm())


@requires(WORK)
def claim_call():
    """Claim the most urgent due call (with a lease) and show it."""
    _workspace_gate()
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    db.session.rollback()  # the claim needs a session without open writes (SQLite)
    order = operations.claim_next_call(_agent(), now=_now())
    if order is None:
        flash(_("No call is due right now."), "info")
        return redirect(url_for("calls.agent_home"))
    if order.ticket is not None:
        # Calling someone is a reason to open their ticket.
        tickets.grant_access(_agent(), order.ticket, reason=DIAL_REASON)
        db.session.commit()
    return redirect(url_for("calls.view_call", order_id=order.id))


def _own_call(order_id: int) -> CallOrder:
    order = db.get_or_404(CallOrder, order_id)
    if order.state != CLAIMED or order.claimed_by_id != current_user.id:
        abort(404)  # not (or no longer) this agent's call
    return order


@requires(WORK)
def view_call(order_id: int):
    """Before dialling: why we call, earlier attempts, the number; then the outcome."""
    _workspace_gate()
    order = _own_call(order_id)
    form = OutcomeForm()
    return _render_call(order, form)


def _render_call(order: CallOrder, form: OutcomeForm, status: int = 200):
    summary = phone = None
    if order.ticket is not None:
        summary = tickets.ticket_summary(order.ticket)
        # Showing the number is a view of personal data: audited by the tickets package.
        phone = tickets.person_data(order.ticket, actor=_agent(), reason=DIAL_REASON).phone
    attempts = [(a, operations.attempt_note(a)) for a in operations.order_attempts(order)]
    try:
        operations.extend_lease(order, _agent(), now=_now())
    except operations.NotClaimedByAgent:
        db.session.rollback()
        abort(404)
    db.session.commit()
    return render_template(
        "calls/call.html",
        order=order,
        summary=summary,
        phone=phone,
        attempts=attempts,
        form=form,
        button=ButtonForm(),
        has_script=order.campaign.script is not None,
    ), status


@requires(WORK)
def record_outcome(order_id: int):
    """Save how the call ended; the retry rules schedule what comes next."""
    _workspace_gate()
    order = _own_call(order_id)
    form = OutcomeForm()
    if form.validate_on_submit():
        callback_dt = _local_to_utc(form.callback_at.data) if form.callback_at.data else None
        try:
            operations.record_outcome(
                order,
                _agent(),
                form.outcome.data,
                now=_now(),
                note=form.note.data,
                callback_dt=callback_dt,
                callback_anyone=form.callback_by.data == "anyone",
            )
        except operations.CallError as exc:
            db.session.rollback()
            form.callback_at.errors = [*form.callback_at.errors, str(exc)]
        except operations.NotClaimedByAgent:
            db.session.rollback()
            flash(_("This call is no longer yours: its lease expired."), "error")
            return redirect(url_for("calls.agent_home"))
        else:
            db.session.commit()
            flash(_("Outcome saved."), "success")
            return redirect(url_for("calls.agent_home"))
    return _render_call(order, form, 400)


def _local_to_utc(moment: datetime) -> datetime:
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return moment.replace(tzinfo=zone).astimezone(UTC)


@requires(WORK)
def release_call(order_id: int):
    """Give the call back to the queue without an outcome."""
    _workspace_gate()
    order = _own_call(order_id)
    if ButtonForm().validate_on_submit():
        operations.release_call(order, _agent())
        db.session.commit()
        flash(_("The call is back in the queue."), "success")
    return redirect(url_for("calls.agent_home"))


@requires(WORK)
def open_script(order_id: int):
    """Start the campaign's script for this call, or continue the ticket's own form."""
    _workspace_gate()
    order = _own_call(order_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if not current_user.can("scripts.fill"):
        abort(403)
    ticket = order.ticket
    response = None
    if ticket is not None and ticket.script_response_id:
        response = db.session.get(FormResponse, ticket.script_response_id)
        if (
            response is None
            or response.state != IN_PROGRESS
            or response.agent_id != current_user.id
        ):
            response = None
    if response is None:
        version = scripts.current_version(order.campaign.script) if order.campaign.script else None
        if version is None:
            flash(_("This campaign has no published call script."), "error")
            return redirect(url_for("calls.view_call", order_id=order.id))
        language = ticket.language if ticket is not None else current_app.config["LANGUAGES"][0]
        response = scripts.start_form(version, agent=_agent(), language=language)
        if ticket is not None:
            tickets.link_script_response(ticket, response.id, actor=_agent())
    # A case call lasts ~20 minutes in the script's tab: keep the call that long and more.
    operations.extend_lease(order, _agent(), now=_now(), lease=SCRIPT_LEASE)
    db.session.commit()
    return redirect(url_for("scripts.fill_form", response_id=response.id))


# The supervisor's side ------------------------------------------------------------------


@requires(SUPERVISE)
def list_campaigns():
    """Campaigns with their settings and queues."""
    queues = {row.campaign.id: row for row in stats.queue_sizes(now=_now())}
    return render_template(
        "calls/campaigns.html", campaigns=operations.list_campaigns(), queues=queues
    )


def _campaign_form(campaign: Campaign | None) -> CampaignForm:
    if request.method == "POST":
        form = CampaignForm()
    else:
        # A new campaign starts from the model's defaults.
        shown = campaign or Campaign(
            priority=0,
            max_attempts=3,
            calling_start=time(9, 0),
            calling_end=time(20, 0),
            callback_grace_minutes=30,
            active=True,
        )
        form = CampaignForm(obj=shown)
        rules = shown.retry_rules
        form.retry_no_answer.data = rules[NO_ANSWER]
        form.retry_busy.data = rules[BUSY]
        form.retry_wrong_number.data = rules[WRONG_NUMBER]
        form.script_id.data = shown.script_id or 0
    form.script_id.choices = [SelectChoice(0, _("No script"))] + [
        SelectChoice(script.id, script.form_id)
        for script in db.session.scalars(select(Script).order_by(Script.form_id))
    ]
    return form


def _save_campaign(form: CampaignForm, campaign: Campaign):
    operations.update_campaign(
        campaign,
        name=form.name.data.strip(),
        script_id=form.script_id.data or None,
        priority=form.priority.data,
        calling_start=form.calling_start.data,
        calling_end=form.calling_end.data,
        max_attempts=form.max_attempts.data,
        callback_grace_minutes=form.callback_grace_minutes.data,
        receives_contacts=form.receives_contacts.data,
        active=form.active.data,
        retry_rules={
            NO_ANSWER: form.retry_no_answer.data,
            BUSY: form.retry_busy.data,
            WRONG_NUMBER: form.retry_wrong_number.data,
        },
    )


def _name_taken(name: str, campaign: Campaign | None) -> bool:
    other = db.session.scalars(select(Campaign).where(Campaign.name == name.strip())).first()
    return other is not None and other is not campaign


@requires(SUPERVISE)
def create_campaign():
    """A new campaign."""
    form = _campaign_form(None)
    if form.validate_on_submit():
        if _name_taken(form.name.data, None):
            form.name.errors.append(_("Another campaign has this name."))
        else:
            campaign = Campaign()
            _save_campaign(form, campaign)
            db.session.commit()
            flash(_("Campaign created."), "success")
            return redirect(url_for("calls.list_campaigns"))
    status = 400 if form.is_submitted() else 200
    return render_template("calls/campaign_form.html", form=form, campaign=None), status


@requires(SUPERVISE)
def edit_campaign(campaign_id: int):
    """Change a campaign's settings."""
    campaign = db.get_or_404(Campaign, campaign_id)
    form = _campaign_form(campaign)
    if form.validate_on_submit():
        if _name_taken(form.name.data, campaign):
            form.name.errors.append(_("Another campaign has this name."))
        else:
            _save_campaign(form, campaign)
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("calls.list_campaigns"))
    status = 400 if form.is_submitted() else 200
    return render_template("calls/campaign_form.html", form=form, campaign=campaign), status


@requires(SUPERVISE)
def import_orders(campaign_id: int):
    """Upload call orders: problems by row (nothing imported), else a summary."""
    campaign = db.get_or_404(Campaign, campaign_id)
    form = ImportForm()
    problems, summary = [], None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            summary = importer.import_orders(
                upload.read(importer.MAX_BYTES + 1),
                upload.filename or "orders.csv",
                campaign,
                actor=_agent(),
                now=_now(),
            )
        except importer.ImportRejected as exc:
            db.session.rollback()
            problems = exc.problems
            form.file.errors.append(_("The file has problems; nothing was imported."))
        else:
            db.session.commit()
    status = 400 if form.is_submitted() and summary is None else 200
    return render_template(
        "calls/import.html", campaign=campaign, form=form, problems=problems, summary=summary
    ), status


@requires(SUPERVISE)
def not_reached():
    """Calls given up: attempts exhausted or wrong numbers."""
    campaign = None
    if campaign_id := request.args.get("campaign", type=int):
        campaign = db.get_or_404(Campaign, campaign_id)
    return render_template(
        "calls/not_reached.html",
        orders=operations.not_reached_orders(campaign),
        campaign=campaign,
        campaigns=operations.list_campaigns(),
        button=ButtonForm(),
    )


@requires(SUPERVISE)
def requeue_order(order_id: int):
    """Give a call not reached one more try."""
    order = db.get_or_404(CallOrder, order_id)
    if ButtonForm().validate_on_submit():
        try:
            operations.requeue(order, now=_now(), actor=_agent())
        except operations.CallError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("The call is back in the queue."), "success")
    return redirect(url_for("calls.not_reached"))


@requires(SUPERVISE)
def dashboard():
    """Queues, outcomes today, calls per hour (chart and table), agents, callbacks."""
    figures = stats.dashboard(now=_now())
    return render_template(
        "calls/dashboard.html",
        figures=figures,
        chart=stats.chart_bars(figures.calls_per_hour),
    )


@requires(SUPERVISE)
def export_dashboard():
    """The dashboard's figures as CSV (no personal data)."""
    figures = stats.dashboard(now=_now())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "name", "measure", "value"])
    for row in figures.queues:
        for measure in ("due", "later", "claimed", "done", "not_reached"):
            writer.writerow(["queue", row.campaign.name, measure, getattr(row, measure)])
    for outcome, count in figures.outcomes_today.items():
        writer.writerow(["outcomes_today", outcome, "calls", count])
    for hour, count in enumerate(figures.calls_per_hour):
        writer.writerow(["calls_per_hour", f"{hour:02d}:00", "calls", count])
    writer.writerow(["agents", "active", "agents", figures.agents_active])
    writer.writerow(["callbacks", "due", "orders", len(figures.callbacks_due)])
    name = f"calls-dashboard-{figures.now:%Y%m%d-%H%M}.csv"
    return current_app.response_class(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
