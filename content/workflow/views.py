"""Request handling of the publication workflow."""

from __future__ import annotations

from flask import flash, g, redirect, render_template
from flask_login import current_user

from content.auth.roles import requires
from content.extensions import db
from content.i18n import _
from content.items import operations as items
from content.items.forms import TransitionForm
from content.items.models import PENDING, ContentItem
from content.items.urls import item_url
from content.workflow import operations as workflow


@requires("content.view_drafts")
def change_state(item_id: int):
    """Take a workflow step; the step's own permission is checked by the operation."""
    item = db.get_or_404(ContentItem, item_id)
    form = TransitionForm()
    if form.validate_on_submit():
        try:
            workflow.transition(
                item,
                form.transition.data,
                actor=current_user._get_current_object(),
                comment=form.comment.data or "",
            )
        except items.ContentError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Done: %(state)s.", state=workflow.STATE_LABELS[item.state]), "success")
    return redirect(item_url(item))


@requires("content.review")
def review_queue():
    """Items waiting for review, in every language, this language first."""
    pending = items.items_in_state(PENDING)
    pending.sort(key=lambda item: item.language != g.lang_code)
    return render_template("workflow/review.html", pending=pending, latest=items.latest)
