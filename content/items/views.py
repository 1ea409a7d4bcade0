"""Request handling for reading and writing content items."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from content.auth.roles import PUBLIC, requires
from content.extensions import db
from content.forms import attach_error
from content.i18n import _, language_names, select_locale
from content.items import operations as items
from content.items.forms import ItemForm, MoveForm, NewItemForm
from content.items.fragments import shared
from content.items.models import ContentItem
from content.items.page_cache import cached_response, not_for_sharing
from content.items.types import content_type, content_types, default_child_type
from content.items.urls import item_url
from content.multilingual import operations as multilingual
from content.rendering import render_markdown
from content.workflow.operations import STATE_LABELS


def set_language_alternatives(item: ContentItem) -> None:
    """Point the language switcher at the item's translations (or the missing-page)."""
    g.language_alternatives = dict(shared(("alternatives", item.id), lambda: _alternatives(item)))


def _alternatives(item: ContentItem) -> dict[str, str]:
    linked = multilingual.translations(item)
    visible = items.visible_revisions(list(linked.values()), current_user)
    alternatives = {}
    for code in language_names():
        member = linked.get(code)
        if member is not None and member.id in visible:
            alternatives[code] = item_url(member)
        else:
            alternatives[code] = url_for(
                "items.missing_translation", lang_code=code, group=item.translation_group
            )
    return alternatives


def site_sections() -> list[tuple[str, str]]:
    """Return (URL, title) of the sections below this language's root that the user may see."""
    language = select_locale()
    return shared(("sections", language), lambda: _sections(language))


def _sections(language: str) -> list[tuple[str, str]]:
    root = items.language_root(language)
    if root is None:
        return []
    return [(item_url(child), shown.title) for child, shown in items.children(root, current_user)]


def breadcrumbs(item: ContentItem) -> list[tuple[str, str]]:
    """Return (URL, title) of the item's ancestors from the language root down."""

    def make() -> list[tuple[str, str]]:
        chain = items.ancestors(item)
        shown = items.visible_revisions(chain, current_user)
        return [
            (item_url(node), shown[node.id].title if node.id in shown else node.slug)
            for node in chain
        ]

    return shared(("breadcrumbs", item.id), make)


def render_item(item: ContentItem):
    """Show an item to this user: the live revision, or the latest to those who may see drafts."""
    shown = items.visible_revision(item, current_user)
    if shown is None:
        abort(404)
    set_language_alternatives(item)
    if content_type(item.type).personal:
        not_for_sharing()
    return render_template(
        content_type(item.type).template,
        item=item,
        revision=shown,
        body=render_markdown(shown.body),
        # Only folders list their children: a page does not pay for the query.
        children=items.children(item, current_user) if content_type(item.type).folderish else [],
        breadcrumbs=breadcrumbs(item),
        state_label=STATE_LABELS[item.state],
    )


@requires(PUBLIC)
def view_item(path: str):
    """Show the item at ``/<lang>/<path>``."""
    return cached_response(lambda: render_item_at(f"{g.lang_code}/{path}"))


def render_item_at(path: str):
    """Render the item at a path (``nl/opleiding``), or answer 404."""
    item = items.item_by_path(path)
    if item is None:
        abort(404)
    return render_item(item)


@requires(PUBLIC)
def missing_translation(group: str):
    """Say that a page does not exist in this language and offer the languages it exists in."""
    members = items.with_visible_revisions(
        list(multilingual.translations_of_group(group).values()), current_user
    )
    if not members:
        abort(404)
    g.language_alternatives = {}
    for member, _shown in members:
        g.language_alternatives[member.language] = item_url(member)
    return render_template(
        "items/missing_translation.html", members=members, names=language_names()
    ), 404


@requires("content.view_drafts")
def manage_content():
    """The editors' overview: my drafts, waiting for review, translations to do."""
    mine = [i for i in items.items_in_state("private") if i.owner_id == current_user.id]
    return render_template(
        "items/manage.html",
        my_drafts=mine,
        pending=items.items_in_state("pending"),
        to_translate=multilingual.translations_to_do(),
        latest=items.latest,
        root=items.language_root(g.lang_code),
    )


@requires("content.edit")
def create_item(parent_id: int):
    """Create an item in a folder; Preview shows it as readers will see it."""
    parent = db.get_or_404(ContentItem, parent_id)
    allowed = [t for t in content_types().values() if content_type(parent.type).allows(t.name)]
    if not allowed:
        abort(404)
    default_type = default_child_type(allowed, [child.type for child in parent.children])
    form = NewItemForm(type=request.args.get("type", default_type))
    form.type.choices = [(t.name, t.label) for t in allowed]
    preview = None
    if form.validate_on_submit():
        if form.preview.data:
            preview = render_markdown(form.body.data or "")
        else:
            try:
                item = items.create_item(
                    parent,
                    form.type.data,
                    title=form.title.data,
                    slug=form.slug.data or "",
                    description=form.description.data or "",
                    body=form.body.data or "",
                    actor=current_user._get_current_object(),
                    comment=form.comment.data or "",
                )
            except items.ContentError as exc:
                db.session.rollback()
                attach_error(form, exc)
            else:
                db.session.commit()
                flash(
                    _("Saved as a draft. Visitors do not see it until it is published."), "success"
                )
                return redirect(item_url(item))
    status = 400 if form.is_submitted() and preview is None else 200
    return render_template(
        "items/edit.html", form=form, parent=parent, item=None, preview=preview
    ), status


@requires("content.edit")
def edit_item(item_id: int):
    """Edit an item; a save on top of someone else's save shows the conflict screen."""
    item = db.get_or_404(ContentItem, item_id)
    current = items.latest(item)
    form = ItemForm(
        obj=current, slug=item.slug, base_number=item.latest_revision_number, comment=""
    )
    preview = None
    if form.validate_on_submit():
        if form.preview.data:
            preview = render_markdown(form.body.data or "")
        else:
            try:
                items.save_revision(
                    item,
                    base_number=int(form.base_number.data or 0),
                    title=form.title.data,
                    description=form.description.data or "",
                    body=form.body.data or "",
                    slug=None if item.is_root else (form.slug.data or item.slug),
                    actor=current_user._get_current_object(),
                    comment=form.comment.data or "",
                )
            except items.EditConflict as conflict:
                db.session.rollback()
                return _render_conflict(item, form, conflict)
            except items.ContentError as exc:
                db.session.rollback()
                attach_error(form, exc)
            else:
                db.session.commit()
                flash(_("Saved as a new revision."), "success")
                return redirect(item_url(item))
    status = 400 if form.is_submitted() and preview is None else 200
    return render_template(
        "items/edit.html", form=form, parent=item.parent, item=item, preview=preview
    ), status


def _render_conflict(item: ContentItem, form: ItemForm, conflict: items.EditConflict):
    """Show both texts; the form keeps what this editor typed, now based on the other save."""
    from content.revisions.operations import diff_text

    form.base_number.data = str(conflict.theirs.number)
    return render_template(
        "items/conflict.html",
        item=item,
        form=form,
        theirs=conflict.theirs,
        body_diff=diff_text(conflict.theirs.body, form.body.data or ""),
    ), 409


@requires("content.edit")
def move_item(item_id: int):
    """Move an item up or down in its folder."""
    item = db.get_or_404(ContentItem, item_id)
    form = MoveForm()
    if form.validate_on_submit() and item.parent is not None:
        items.move(item, 1 if form.offset.data > 0 else -1)
        db.session.commit()
    return redirect(item_url(item.parent) if item.parent else item_url(item))
