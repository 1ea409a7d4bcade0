"""Request handling of a quiz's settings (trainers)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from content.auth.roles import requires
from content.extensions import db
from content.i18n import _
from content.items import operations as items
from lms.quizzes.bank import queries as bank
from lms.quizzes.settings import operations
from lms.quizzes.settings.forms import settings_form
from lms.quizzes.settings.models import QuizSettings
from lms.quizzes.views import any_quiz_or_404

MANAGE = "lms.manage_courses"


@requires(MANAGE)
def edit_settings(group: str):
    """Trainers set the draws, shuffling, limits, timing, pass mark and review policy."""
    item = any_quiz_or_404(group)
    settings = operations.quiz_settings(group)
    form = settings_form(bank.category_tree(), settings)
    if form.validate_on_submit():
        form.populate_obj(settings)
        settings.close_dt = form.close_dt_utc()
        operations.save_settings(settings, form.draws())
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("quizzes.edit_settings", group=group))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "quizzes/settings.html",
        item=item,
        revision=items.latest(item),
        form=form,
        saved=db.session.get(QuizSettings, group) is not None,
    ), status
