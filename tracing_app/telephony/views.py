"""The screen pop: the telephony opens it in the agent's browser for an inbound call.

``GET`` only shows the call and a form (a link cannot make the browser act: CSRF); a
small script sends it at once, or the agent presses Enter. ``POST`` looks the number up.
"""

from __future__ import annotations

from flask import abort, g, redirect, render_template, request, url_for
from flask_login import current_user

from content.auth.models import utcnow
from content.auth.roles import requires
from content.extensions import db
from content.i18n import _
from tracing_app.protection import blind_index as bi
from tracing_app.telephony import inbound
from tracing_app.telephony.forms import ScreenPopForm
from tracing_app.tickets import summaries
from tracing_app.tickets.lookup import TooManyMatches

WORK = "calls.work"


def _agent():
    return current_user._get_current_object()


@requires(WORK)
def screen_pop():
    """Show the inbound call (GET) or find the caller's ticket and take the call (POST)."""
    if not current_user.can("tickets.lookup"):
        abort(403)
    form = ScreenPopForm(formdata=request.form if request.method == "POST" else request.args)
    if request.method == "GET":
        if form.caller.data:
            try:
                inbound.normal_number(form.caller.data)
            except bi.NormalizationError:  # shown at once, beside the field
                form.caller.errors = [_("This is not a phone number. Check it with the caller.")]
        return render_template("telephony/screen_pop.html", form=form, choices=None)
    if not form.validate_on_submit():
        return render_template("telephony/screen_pop.html", form=form, choices=None), 400
    try:
        found = inbound.find_callers(form.caller.data, agent=_agent())
    except bi.NormalizationError:
        db.session.rollback()
        form.caller.errors.append(_("This is not a phone number. Check it with the caller."))
        return render_template("telephony/screen_pop.html", form=form, choices=None), 400
    except TooManyMatches:
        db.session.commit()  # the search is audited, as every lookup
        form.caller.errors.append(
            _("Many tickets share this number: find the caller's ticket by name in Look up.")
        )
        return render_template("telephony/screen_pop.html", form=form, choices=None)
    if form.ticket.data:
        found = [ticket for ticket in found if ticket.reference == form.ticket.data]
        if not found:
            abort(404)
    if len(found) > 1:
        choices = [summaries.ticket_summary(ticket) for ticket in found]
        db.session.commit()  # the lookup's audit entries and access grants
        return render_template("telephony/screen_pop.html", form=form, choices=choices)
    now = utcnow()
    if found:
        ticket = found[0]
    else:
        ticket = inbound.new_caller_ticket(form.caller.data, agent=_agent(), language=g.lang_code)
    order = inbound.take_call(ticket, agent=_agent(), call_id=form.call_id.data or None, now=now)
    db.session.commit()
    return redirect(url_for("calls.view_call", order_id=order.id, _anchor="script"))
