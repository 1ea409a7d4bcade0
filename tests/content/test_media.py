"""Media files: uploads checked by content, images cleaned, files served by visibility."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from flask_babel import force_locale
from PIL import Image, PngImagePlugin
from sqlalchemy import select

from content.extensions import db
from content.items.models import ContentItem
from content.media import images, operations, storage
from content.media.models import MediaFile
from tests.fixtures.web import post_form

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def image_bytes(fmt: str = "PNG", size=(3, 2), **params) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, fmt, **params)
    return buffer.getvalue()


def exif_bytes(orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Secret Camera"  # Make
    exif[0x0112] = orientation
    return exif.tobytes()


def office_bytes(first_folder: str = "word/") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(f"{first_folder}document.xml", "<document/>")
    return buffer.getvalue()


@pytest.fixture
def create_page(app):
    """Return a callable that creates a page below the Dutch root (private unless ``live``)."""

    def factory(slug: str = "p", *, live: bool = False) -> ContentItem:
        root = db.session.scalar(select(ContentItem).where(ContentItem.path == "nl"))
        if root is None:
            root = ContentItem(
                type="folder", language="nl", slug="nl", path="nl", state="published",
                latest_revision_number=1, live_revision_number=1,
            )  # fmt: skip
        page = ContentItem(
            type="page", language="nl", slug=slug, path=f"nl/{slug}", parent=root,
            state="published" if live else "private", latest_revision_number=1,
            live_revision_number=1 if live else None,
        )  # fmt: skip
        db.session.add(page)
        db.session.commit()
        return page

    return factory


@pytest.fixture
def editor(auth):
    """An editor, signed in."""
    return auth.login_as("editor")


def upload(client, item: ContentItem, data: bytes, name: str):
    return post_form(
        client,
        f"/en/cms/items/{item.id}/media/upload",
        {"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def field_error(response) -> str:
    html = response.get_data(as_text=True)
    match = re.search(r'<p class="error" id="file-error">(.*?)</p>', html)
    assert match, "no error beside the upload field"
    return match.group(1)


def fetch(client, url: str):
    """GET a URL and close the response (a served file stays open until then)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def only_media() -> MediaFile:
    return db.session.scalars(select(MediaFile)).one()


# Uploads


@pytest.mark.db
def test_png_upload_is_stored_under_a_random_name(client, create_page, editor):
    page = create_page()
    response = upload(client, page, image_bytes(size=(3, 2)), "Photo.png")
    assert response.status_code == 302
    media = only_media()
    assert (media.filename, media.mimetype) == ("Photo.png", "image/png")
    assert (media.width, media.height) == (3, 2)
    assert media.uploader_id == editor.id
    assert re.fullmatch(r"[0-9a-f]{32}\.png", media.stored_name)
    path = storage.file_path(media.stored_name)
    assert path.parent.name == media.stored_name[:2]
    assert path.read_bytes().startswith(b"\x89PNG")
    assert media.size_bytes == path.stat().st_size


@pytest.mark.db
def test_media_page_lists_files_with_a_markdown_snippet(client, create_page, editor):
    page = create_page()
    upload(client, page, image_bytes(), "photo.png")
    upload(client, page, PDF, "guide.pdf")
    html = client.get(f"/en/cms/items/{page.id}/media").get_data(as_text=True)
    image, pdf = db.session.scalars(select(MediaFile).order_by(MediaFile.id)).all()
    assert f"![alt text](/media/{image.id}/photo.png)" in html
    assert f"[guide.pdf](/media/{pdf.id}/guide.pdf)" in html
    assert "PNG image" in html
    assert "PDF document" in html
    assert 'enctype="multipart/form-data"' in html


@pytest.mark.db
@pytest.mark.parametrize(
    ("data", "name", "mimetype", "filename"),
    [
        (PDF, "Guide.pdf", "application/pdf", "Guide.pdf"),
        (office_bytes("word/"), "letter.docx", DOCX, "letter.docx"),
        (image_bytes("JPEG"), "photo.jpeg", "image/jpeg", "photo.jpg"),
        # The detected type decides the extension, not the uploaded name.
        (PDF, "report.png", "application/pdf", "report.pdf"),
    ],
)
def test_allowed_types_are_detected_from_the_content(
    client, create_page, editor, data, name, mimetype, filename
):
    page = create_page()
    assert upload(client, page, data, name).status_code == 302
    media = only_media()
    assert (media.mimetype, media.filename) == (mimetype, filename)
    assert media.stored_name.endswith("." + filename.rsplit(".", 1)[1])


@pytest.mark.db
@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"<html><script>alert(1)</script></html>", "photo.png", "unrecognised content"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "a.svg",
         "unrecognised content"),
        (office_bytes("other/"), "archive.docx", "application/zip"),
        (b"", "empty.pdf", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "broken.png", "could not be read"),
    ],
)  # fmt: skip
def test_refused_uploads_show_the_reason_beside_the_field(
    client, create_page, editor, data, name, message
):
    page = create_page()
    response = upload(client, page, data, name)
    assert response.status_code == 400
    assert message in field_error(response)
    assert db.session.scalars(select(MediaFile)).all() == []


@pytest.mark.db
def test_refused_types_are_named(client, create_page, editor):
    response = upload(client, create_page(), b"<html></html>", "x.html")
    assert field_error(response) == "This file type is not allowed: unrecognised content."


@pytest.mark.db
def test_missing_file_is_refused(client, create_page, editor):
    page = create_page()
    response = post_form(client, f"/en/cms/items/{page.id}/media/upload", {})
    assert response.status_code == 400
    assert field_error(response) == "Choose a file to upload."


@pytest.mark.db
def test_file_over_the_limit_is_refused(app, client, create_page, editor, monkeypatch):
    monkeypatch.setitem(app.config, "MEDIA_MAX_BYTES", 50)
    response = upload(client, create_page(), PDF, "big.pdf")
    assert response.status_code == 400
    assert field_error(response) == "The file is too large: at most 50 bytes."


@pytest.mark.db
def test_request_over_the_body_limit_gets_a_translated_413_page(
    app, client, create_page, editor, monkeypatch
):
    page = create_page()
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2000)
    response = upload(client, page, PDF + b"%" * 5000, "huge.pdf")
    assert response.status_code == 413
    assert "File too large" in response.get_data(as_text=True)


@pytest.mark.db
def test_image_with_too_many_pixels_is_refused(client, create_page, editor, monkeypatch):
    monkeypatch.setattr(images, "MAX_PIXELS", 5)
    response = upload(client, create_page(), image_bytes(size=(3, 2)), "big.png")
    assert "too many pixels" in field_error(response)


@pytest.mark.db
@pytest.mark.parametrize(
    ("uploaded", "stored"),
    [
        ("../../etc/passwd.png", "passwd.png"),
        ("Fôtö\x01\t<b>.png", "Foto_b.png"),
        ("照片.png", "file.png"),
        (".png", "file.png"),
    ],
)
def test_uploaded_names_are_made_safe(client, create_page, editor, uploaded, stored):
    upload(client, create_page(), image_bytes(), uploaded)
    media = only_media()
    assert media.filename == stored
    assert storage.file_path(media.stored_name).is_relative_to(storage.media_directory())


@pytest.mark.parametrize(
    ("uploaded", "stored"),
    [
        ("C:\\Users\\Eva\\photo.final.JPG", "photo.final.jpg"),
        ("..", "file.jpg"),
        (None, "file.jpg"),
        ("a" * 300 + ".jpg", "a" * operations.MAX_STEM_LENGTH + ".jpg"),
    ],
)
def test_safe_filename(uploaded, stored):
    assert operations.safe_filename(uploaded, "jpg") == stored


# Images are cleaned


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_image_metadata_is_removed(fmt):
    params = {"exif": exif_bytes()}
    if fmt == "JPEG":
        params["comment"] = b"secret comment"
    if fmt == "PNG":
        text = PngImagePlugin.PngInfo()
        text.add_text("Author", "Secret Person")
        params["pnginfo"] = text
    if fmt == "WEBP":
        params["xmp"] = b"<x:xmpmeta>Secret Person</x:xmpmeta>"
    original = image_bytes(fmt, **params)
    assert b"Secret" in original

    cleaned = images.clean_image(original, f"image/{fmt.lower()}")
    assert b"Secret" not in cleaned.data
    with Image.open(io.BytesIO(cleaned.data)) as image:
        assert image.format == fmt
        assert dict(image.getexif()) == {}


def test_animated_gif_keeps_its_frames_and_loses_its_comment():
    frames = [Image.new("RGB", (4, 3), colour) for colour in ("red", "green", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], comment=b"Secret")
    cleaned = images.clean_image(buffer.getvalue(), "image/gif")
    assert b"Secret" not in cleaned.data
    with Image.open(io.BytesIO(cleaned.data)) as image:
        assert (image.n_frames, cleaned.width, cleaned.height) == (3, 4, 3)


def test_exif_orientation_is_applied_to_the_pixels():
    rotated = image_bytes("JPEG", size=(20, 10), exif=exif_bytes(orientation=6))
    cleaned = images.clean_image(rotated, "image/jpeg")
    assert (cleaned.width, cleaned.height) == (10, 20)


def test_lossless_webp_stays_lossless():
    lossless = image_bytes("WEBP", lossless=True)
    lossy = image_bytes("WEBP", quality=80)
    assert b"VP8L" in images.clean_image(lossless, "image/webp").data
    assert b"VP8L" not in images.clean_image(lossy, "image/webp").data


# Serving


@pytest.mark.db
def test_image_is_served_inline_with_its_type(client, auth, create_page, editor):
    page = create_page(live=True)
    upload(client, page, image_bytes(), "photo.png")
    media = only_media()
    response = fetch(client, f"/media/{media.id}/photo.png")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    assert response.data == storage.file_path(media.stored_name).read_bytes()

    auth.logout()
    assert fetch(client, f"/media/{media.id}/photo.png").status_code == 200


@pytest.mark.db
def test_pdf_is_served_as_an_attachment_with_its_safe_name(client, create_page, editor):
    page = create_page(live=True)
    upload(client, page, PDF, "../Annual report.pdf")
    media = only_media()
    response = fetch(client, f"/media/{media.id}/Annual_report.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == "attachment; filename=Annual_report.pdf"
    assert response.data == PDF


@pytest.mark.db
def test_wrong_name_or_id_in_the_url_is_not_found(client, create_page, editor):
    page = create_page(live=True)
    upload(client, page, PDF, "guide.pdf")
    media = only_media()
    assert client.get(f"/media/{media.id}/other.pdf").status_code == 404
    assert client.get(f"/media/{media.id}/guide.pdf/x").status_code == 404
    assert client.get(f"/media/{media.id + 1}/guide.pdf").status_code == 404


@pytest.mark.db
def test_media_of_a_draft_is_for_draft_readers_only(client, auth, create_page, editor):
    page = create_page(live=False)
    upload(client, page, image_bytes(), "draft.png")
    url = f"/media/{only_media().id}/draft.png"

    response = fetch(client, url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-cache"

    auth.logout()
    assert fetch(client, url).status_code == 404
    auth.login_as("agent")
    assert fetch(client, url).status_code == 404


# Deleting


@pytest.mark.db
def test_delete_removes_the_row_and_the_file(client, create_page, editor):
    page = create_page()
    upload(client, page, PDF, "guide.pdf")
    media = only_media()
    path = storage.file_path(media.stored_name)
    assert path.exists()

    response = post_form(client, f"/en/cms/items/{page.id}/media/{media.id}/delete", {})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(MediaFile)).all() == []
    assert not path.exists()


@pytest.mark.db
def test_delete_needs_the_form_token(client, create_page, editor):
    page = create_page()
    upload(client, page, PDF, "guide.pdf")
    media = only_media()
    response = client.post(f"/en/cms/items/{page.id}/media/{media.id}/delete")
    assert response.status_code == 400
    assert storage.file_path(media.stored_name).exists()


@pytest.mark.db
def test_delete_of_another_items_file_is_not_found(client, create_page, editor):
    page, other = create_page("a"), create_page("b")
    upload(client, page, PDF, "guide.pdf")
    media = only_media()
    response = post_form(client, f"/en/cms/items/{other.id}/media/{media.id}/delete", {})
    assert response.status_code == 404


@pytest.mark.db
def test_unknown_item_is_not_found(client, editor):
    assert client.get("/en/cms/items/999999/media").status_code == 404


@pytest.mark.db
def test_rolled_back_upload_leaves_no_file(create_page):
    page = create_page()
    media = operations.add_media(page, io.BytesIO(PDF), "guide.pdf", uploader=None)
    path = storage.file_path(media.stored_name)
    assert path.exists()
    db.session.rollback()
    assert not path.exists()


@pytest.mark.db
def test_upload_of_a_failed_request_leaves_no_file(create_page):
    page = create_page()
    media = operations.add_media(page, io.BytesIO(PDF), "guide.pdf", uploader=None)
    path = storage.file_path(media.stored_name)
    db.session.close()  # what the end of a request does when nothing was committed
    assert not path.exists()


@pytest.mark.db
def test_deleted_file_stays_when_the_deletion_is_rolled_back(create_page):
    page = create_page()
    media = operations.add_media(page, io.BytesIO(PDF), "guide.pdf", uploader=None)
    db.session.commit()
    path = storage.file_path(media.stored_name)
    operations.delete_media(media)
    db.session.rollback()
    assert path.exists()


@pytest.mark.db
def test_deleting_the_item_removes_its_files(create_page):
    page = create_page()
    media = operations.add_media(page, io.BytesIO(PDF), "guide.pdf", uploader=None)
    db.session.commit()
    path = storage.file_path(media.stored_name)
    db.session.delete(page)
    db.session.commit()
    assert not path.exists()


# Sizes for people


@pytest.mark.parametrize(
    ("locale", "size", "text"),
    [
        ("en", 1, "1 byte"),
        ("en", 900, "900 bytes"),
        ("en", 1536, "1.5 KB"),
        ("nl", 1536 * 1024, "1,5 MB"),
        ("en", 10 * 1024 * 1024, "10 MB"),
    ],
)
def test_file_sizes_follow_the_locale(app, locale, size, text):
    with app.test_request_context(), force_locale(locale):
        assert operations.format_file_size(size) == text
