"""Request handling of the supervisors' side of call lists: campaigns, imports, dashboard."""

from __future__ import annotations

import csv
import io
from datetime import time

from flask import current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from content.auth.roles import requires
from content.extensions import db
from content.i18n import _
from tracing_app.calls import importer, operations, stats
from tracing_app.calls.forms import OUTCOME_LABELS, ButtonForm, CampaignForm, ImportForm
from tracing_app.calls.models import BUSY, NO_ANSWER, WRONG_NUMBER, CallOrder, Campaign
from tracing_app.calls.views import SUPERVISE, current_agent, current_time
from tracing_app.scripts.models import Script


@requires(SUPERVISE)
def list_campaigns():
    """Campaigns with their settings and queues."""
    queues = {row.campaign.id: row for row in stats.queue_sizes(now=current_time())}
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
            max_live_calls=1,
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
        max_live_calls=form.max_live_calls.data,
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
                upload.read(current_app.config["IMPORT_MAX_BYTES"] + 1),
                upload.filename or "orders.csv",
                campaign,
                actor=current_agent(),
                now=current_time(),
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
            operations.requeue(order, now=current_time(), actor=current_agent())
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
    figures = stats.dashboard(now=current_time())
    return render_template(
        "calls/dashboard.html",
        figures=figures,
        chart=stats.chart_bars(figures.calls_per_hour),
        outcome_chart=stats.chart_rows(
            [(str(OUTCOME_LABELS[o]), n) for o, n in figures.outcomes_today.items()]
        ),
    )


@requires(SUPERVISE)
def export_dashboard():
    """The dashboard's figures as CSV (no personal data)."""
    figures = stats.dashboard(now=current_time())
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
