"""Request handling of linked translations."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from content.auth.roles import requires
from content.extensions import db
from content.i18n import _, language_names
from content.items import operations as items
from content.items.forms import TranslateForm
from content.items.models import ContentItem
from content.items.urls import item_url
from content.multilingual import operations as multilingual
from content.plugins import hook
from content.revisions.operations import FIELD_LABELS


def _translate_form(item, formdata=None) -> TranslateForm:
    existing = multilingual.translations(item)
    form = TranslateForm() if formdata is not None else TranslateForm(formdata=None)
    form.language.choices = [
        (code, name) for code, name in language_names().items() if code not in existing
    ]
    return form


@requires("content.view_drafts")
def item_translations(item_id: int):
    """Show an item's translations, whether each is outdated (with the source's changes)."""
    item = db.get_or_404(ContentItem, item_id)
    return _render(item, _translate_form(item))


def _render(item, form, status=200):
    linked = multilingual.translations(item)
    outdated = multilingual.is_outdated(item)
    return render_template(
        "multilingual/item.html",
        item=item,
        linked=linked,
        names=language_names(),
        form=form,
        outdated=outdated,
        changes=multilingual.source_changes(item) if outdated else [],
        field_labels=FIELD_LABELS,
        is_outdated=multilingual.is_outdated,
        latest=items.latest,
    ), status


@requires("content.edit")
def create_translation(item_id: int):
    """Create the translation in the chosen language, prefilled, and open its editor."""
    item = db.get_or_404(ContentItem, item_id)
    form = _translate_form(item, request.form)
    if form.validate_on_submit():
        try:
            translation = multilingual.translate(
                item, form.language.data, actor=current_user._get_current_object()
            )
        except items.ContentError as exc:
            db.session.rollback()
            form.language.errors.append(str(exc))
        else:
            db.session.commit()
            # The interface stays in the editor's language; the form's texts are marked as
            # the translation's language.
            flash(_("Translation created from the source text: translate it now."), "success")
            return redirect(url_for("items.edit_item", item_id=translation.id))
    return _render(item, form, 400)


@requires("content.edit")
def mark_up_to_date(item_id: int):
    """Record that a translation matches its source again."""
    item = db.get_or_404(ContentItem, item_id)
    # CSRFProtect checks the token of this button's form; there is nothing else to read.
    multilingual.mark_up_to_date(item)
    db.session.commit()
    flash(_("Marked as up to date with the source."), "success")
    return redirect(item_url(item))


@requires("content.view_drafts")
def translation_overview():
    """Per item, which languages are missing or outdated."""
    # Plugins add what is translated outside content items (e.g. the LMS's quiz questions).
    sections: dict[str, list[multilingual.TranslationRow]] = {}
    for rows in hook(current_app).tracing_translation_rows(user=current_user):
        for row in rows:
            sections.setdefault(str(row.section), []).append(row)
    return render_template(
        "multilingual/overview.html",
        rows=multilingual.overview(g.lang_code),
        names=language_names(),
        latest=items.latest,
        plugin_sections=sections,
    )
