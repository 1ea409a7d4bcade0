"""Request handling of legal holds: a supervisor puts a ticket on hold or releases it."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from content.auth.roles import requires
from content.extensions import db
from content.i18n import _
from tracing_app.audit.operations import PersonalDataError
from tracing_app.retention import holds
from tracing_app.retention.forms import PlaceHoldForm, ReleaseHoldForm
from tracing_app.tickets.access import open_ticket_or_404

PERMISSION = "tickets.legal_hold"


def _page(ticket, place_form, release_form, status=200):
    return render_template(
        "retention/hold.html",
        ticket=ticket,
        hold=holds.active_hold(ticket),
        place_form=place_form,
        release_form=release_form,
    ), status


@requires(PERMISSION)
def legal_hold(reference: str):
    """Show the ticket's hold; on POST, place one with its reason."""
    ticket, _reason = open_ticket_or_404(reference, current_user)
    form = PlaceHoldForm()
    if not form.validate_on_submit():
        return _page(ticket, form, ReleaseHoldForm(), 400 if form.is_submitted() else 200)
    try:
        holds.place_hold(ticket, form.reason.data, actor=current_user._get_current_object())
    except PersonalDataError:
        db.session.rollback()
        form.reason.errors = [_("This looks like personal data: give a case or file number.")]
        return _page(ticket, form, ReleaseHoldForm(), 400)
    except holds.HoldError:
        db.session.rollback()
        form.reason.errors = [_("The ticket is already on hold or was purged.")]
        return _page(ticket, form, ReleaseHoldForm(), 400)
    db.session.commit()
    flash(_("The ticket is on legal hold: it will not be purged."), "success")
    return redirect(url_for("retention.legal_hold", reference=ticket.reference))


@requires(PERMISSION)
def release_hold(reference: str):
    """Release the ticket's hold."""
    ticket, _reason = open_ticket_or_404(reference, current_user)
    if ReleaseHoldForm().validate_on_submit():
        try:
            holds.release_hold(ticket, actor=current_user._get_current_object())
        except holds.HoldError:
            db.session.rollback()
        else:
            db.session.commit()
            flash(_("The legal hold is released."), "success")
    return redirect(url_for("retention.legal_hold", reference=ticket.reference))
