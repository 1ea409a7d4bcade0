"""Request handling of media files: the item's media page, upload, delete, and serving."""

from __future__ import annotations

import logging

from flask import abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_login import current_user

from content.auth.roles import PUBLIC, requires
from content.extensions import db
from content.i18n import _
from content.items.models import ContentItem
from content.media import operations, storage
from content.media.forms import DeleteMediaForm, UploadForm
from content.media.models import MediaFile

logger = logging.getLogger(__name__)

PERMISSION = "content.edit"
#: Media responses are never documents that may run anything, even when opened directly.
MEDIA_CSP = "default-src 'none'; sandbox"
#: Files of live items may sit in shared caches for an hour; others only in the browser,
#: which must ask again each time (cheap: an ETag answers 304).
PUBLIC_CACHE = "public, max-age=3600"
PRIVATE_CACHE = "private, no-cache"


def _render_manage(item: ContentItem, form: UploadForm):
    return render_template(
        "media/manage.html",
        item=item,
        title=operations.item_title(item),
        media_files=operations.list_media(item),
        form=form,
        delete_form=DeleteMediaForm(formdata=None),
        max_size=operations.format_file_size(current_app.config["MEDIA_MAX_BYTES"]),
        type_label=operations.type_label,
    )


@requires(PERMISSION)
def manage_media(item_id: int):
    """List an item's files with what to paste into a page, and offer an upload."""
    item = db.get_or_404(ContentItem, item_id)
    return _render_manage(item, UploadForm(formdata=None))


@requires(PERMISSION)
def upload_media(item_id: int):
    """Attach an uploaded file to the item; on error the page comes back with it."""
    item = db.get_or_404(ContentItem, item_id)
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            media = operations.add_media(
                item, upload.stream, upload.filename, uploader=current_user._get_current_object()
            )
        except operations.MediaError as exc:
            db.session.rollback()
            form.file.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("%(filename)s uploaded.", filename=media.filename), "success")
            return redirect(url_for("media.manage_media", item_id=item.id))
    return _render_manage(item, form), 400


@requires(PERMISSION)
def delete_media(item_id: int, media_id: int):
    """Delete one of the item's files, from the database and the disk."""
    item = db.get_or_404(ContentItem, item_id)
    media = db.session.get(MediaFile, media_id)
    if media is None or media.item_id != item.id:
        abort(404)
    if DeleteMediaForm().validate_on_submit():
        filename = media.filename
        operations.delete_media(media)
        db.session.commit()
        flash(_("%(filename)s deleted.", filename=filename), "success")
    return redirect(url_for("media.manage_media", item_id=item.id))


@requires(PUBLIC)
def serve_media(media_id: int, filename: str):
    """Send a file: images inline, everything else as a download.

    The access check before the view knows only the endpoint, but who may see a file
    depends on its item (live: everyone; otherwise those who see drafts), so this view
    decides. It answers 404, not 403, so unpublished files do not reveal they exist.
    """
    media = db.session.get(MediaFile, media_id)
    # The name must match too: an old link with a reused id serves nothing rather than
    # another file.
    if media is None or media.filename != filename:
        abort(404)
    is_public = media.item.is_live
    if not is_public and not (
        current_user.is_authenticated and current_user.can("content.view_drafts")
    ):
        abort(404)
    path = storage.file_path(media.stored_name)
    if not path.is_file():
        logger.error("Media %s has no file on disk", media.id)
        abort(404)
    response = send_file(
        path,
        mimetype=media.mimetype,
        as_attachment=not media.is_image,
        download_name=media.filename,
        conditional=True,
    )
    response.headers["Content-Security-Policy"] = MEDIA_CSP
    response.headers["Cache-Control"] = PUBLIC_CACHE if is_public else PRIVATE_CACHE
    response.headers.pop("Expires", None)
    return response
