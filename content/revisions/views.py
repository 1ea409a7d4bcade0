"""Request handling of the revision history: list, compare, restore."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from content.auth.roles import requires
from content.extensions import db
from content.i18n import _
from content.items import operations as items
from content.items.forms import RestoreForm
from content.items.models import ContentItem
from content.revisions import operations as revisions
from content.workflow.operations import history as workflow_history


@requires("content.view_drafts")
def list_revisions(item_id: int):
    """List every revision and workflow step of an item; pick two to compare."""
    item = db.get_or_404(ContentItem, item_id)
    return render_template(
        "revisions/history.html",
        item=item,
        revisions=revisions.history(item),
        events=workflow_history(item),
        restore_form=RestoreForm(formdata=None),
    )


@requires("content.view_drafts")
def compare_revisions(item_id: int):
    """Show what changed between two revisions (``?a=`` older, ``?b=`` newer)."""
    item = db.get_or_404(ContentItem, item_id)
    newest = item.latest_revision_number
    old = items.revision(item, request.args.get("a", type=int) or max(newest - 1, 1))
    new = items.revision(item, request.args.get("b", type=int) or newest)
    if old is None or new is None:
        abort(404)
    return render_template(
        "revisions/compare.html",
        item=item,
        old=old,
        new=new,
        fields=revisions.compare(old, new),
        field_labels=revisions.FIELD_LABELS,
    )


@requires("content.edit")
def restore_revision(item_id: int, number: int):
    """Restore an older revision as a new one; nothing in the history is lost."""
    item = db.get_or_404(ContentItem, item_id)
    old = items.revision(item, number)
    if old is None:
        abort(404)
    form = RestoreForm()
    if form.validate_on_submit():
        comment = form.comment.data or _("Restored revision %(number)d", number=number)
        revisions.restore(item, old, actor=current_user._get_current_object(), comment=comment)
        db.session.commit()
        flash(_("Revision %(number)d restored as a new revision.", number=number), "success")
    return redirect(url_for("revisions.list_revisions", item_id=item.id))
