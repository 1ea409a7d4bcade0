"""Content as files: ``tracing-app content export`` and ``content import``."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from content.extensions import db
from content.items import operations as items
from content.items.models import ContentItem
from content.media import storage
from content.media.models import MediaFile
from content.media.operations import add_media
from content.multilingual import operations as multilingual
from content.transfer.format import dump_document, parse_document
from content.workflow.operations import transition

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
GROUP = "0b0f6c1e-7d5a-4a36-9a4b-2f3c8d9e1a20"
OTHER_GROUP = "5d6f1b0c-3a2e-4f7b-8c9d-0e1f2a3b4c5d"


@pytest.fixture(autouse=True)
def _english_messages(monkeypatch):
    """Commands speak the shell's language; these tests read English."""
    monkeypatch.setenv("LANG", "en_US.UTF-8")


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (3, 2), "red").save(buffer, "PNG")
    return buffer.getvalue()


def tree(folder) -> dict[str, bytes]:
    """Return every file below ``folder`` by relative path, with its bytes."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def media_folder_listing() -> set[str]:
    """Return every file and folder in the site's media folder."""
    folder = storage.media_directory()
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*")}


def item_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(ContentItem))


def empty_site() -> None:
    """Delete every item (their media files go after the commit) and make the roots afresh."""
    for root in db.session.scalars(select(ContentItem).where(ContentItem.parent_id.is_(None))):
        db.session.delete(root)
    db.session.commit()
    items.ensure_language_roots()
    db.session.commit()


@pytest.fixture
def site(roots, content_admin, create_page):
    """Folders and pages in Dutch, a French translation, every workflow state, and media."""
    admin = content_admin
    nl = roots["nl"]
    items.save_revision(
        nl,
        base_number=nl.latest_revision_number,
        title="Welkom",
        description="De site",
        body="Intro van de site.\n",
        actor=admin,
    )
    course = create_page(type="folder", slug="opleiding", title="Opleiding", body="")
    photo = add_media(course, io.BytesIO(png_bytes()), "Foto kaart.png", uploader=admin)
    guide = add_media(course, io.BytesIO(PDF), "gids.pdf", uploader=admin)
    lesson = create_page(
        parent=course,
        slug="les-1",
        title="Les 1",
        description="Eerste les",
        body=f"# Les 1\n\n![Kaart](/media/{photo.id}/{photo.filename})\n\n---\n\n"
        f"[Gids](/media/{guide.id}/gids.pdf)",
    )
    draft = create_page(parent=course, slug="les-2", title="Les 2", body="Gepubliceerd.\n")
    items.save_revision(
        draft,
        base_number=draft.latest_revision_number,
        title="Les 2 (nieuw)",
        description="",
        body="Nieuwe tekst.\n\n",
        actor=admin,
    )
    pending = create_page(parent=course, slug="concept", title="Concept", publish=False)
    transition(pending, "submit", actor=admin)
    create_page(slug="prive", title="Privé: 'quotes' & ünïcode", body="", publish=False)
    french_course = multilingual.translate(course, "fr", actor=admin)
    transition(french_course, "publish", actor=admin)
    multilingual.translate(lesson, "fr", actor=admin)
    db.session.commit()
    return {"lesson": lesson, "photo": photo, "guide": guide}


@pytest.mark.db
def test_export_writes_front_matter_bodies_and_media(runner, site, tmp_path):
    result = runner.invoke(args=["content", "export", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    files = tree(tmp_path / "out")
    assert sorted(files) == [
        "de/_index.md",
        "en/_index.md",
        "fr/_index.md",
        "fr/opleiding/_index.md",
        "fr/opleiding/les-1.md",
        "nl/_index.live.md",
        "nl/_index.md",
        "nl/opleiding/_index.md",
        "nl/opleiding/_index.media/Foto_kaart.png",
        "nl/opleiding/_index.media/gids.pdf",
        "nl/opleiding/concept.md",
        "nl/opleiding/les-1.md",
        "nl/opleiding/les-2.live.md",
        "nl/opleiding/les-2.md",
        "nl/prive.md",
    ]
    group = site["lesson"].translation_group
    assert files["nl/opleiding/les-1.md"].decode() == (
        "---\ntype: page\nlanguage: nl\nslug: les-1\norder: 0\nstate: published\nlive: true\n"
        f"translation_group: {group}\ntranslation_of: null\nneeds_translation: false\n"
        "title: Les 1\ndescription: Eerste les\nmedia: []\n---\n"
        "# Les 1\n\n![Kaart](media:nl/opleiding/Foto_kaart.png)\n\n---\n\n"
        "[Gids](media:nl/opleiding/gids.pdf)\n"
    )
    french = files["fr/opleiding/les-1.md"].decode()
    assert "translation_of: nl/opleiding/les-1\nneeds_translation: true\n" in french
    assert f"translation_group: {group}\n" in french
    assert "![Kaart](media:nl/opleiding/Foto_kaart.png)" in french
    course = files["nl/opleiding/_index.md"].decode()
    assert "type: folder\n" in course
    assert "media:\n- Foto_kaart.png\n- gids.pdf\n" in course
    draft = files["nl/opleiding/les-2.md"].decode()
    assert "state: private\nlive: true\n" in draft
    assert draft.endswith(
        "title: Les 2 (nieuw)\ndescription: ''\nmedia: []\n---\nNieuwe tekst.\n\n\n"
    )
    assert files["nl/opleiding/les-2.live.md"].decode() == (
        "---\ntitle: Les 2\ndescription: ''\n---\nGepubliceerd.\n\n"
    )
    assert "order: 2\nstate: pending\nlive: false\n" in files["nl/opleiding/concept.md"].decode()
    assert (
        files["nl/prive.md"]
        .decode()
        .endswith("title: 'Privé: ''quotes'' & ünïcode'\ndescription: ''\nmedia: []\n---\n\n")
    )
    root = files["nl/_index.md"].decode()
    assert "slug: nl\norder: 0\nstate: private\nlive: true\ntranslation_group: null\n" in root
    assert files["nl/_index.live.md"].decode() == "---\ntitle: Tracing\ndescription: ''\n---\n\n"
    assert files["nl/opleiding/_index.media/gids.pdf"] == PDF
    assert "  nl: 5 items, 2 media files" in result.output.splitlines()


@pytest.mark.db
def test_round_trip_into_an_empty_site_gives_identical_files(runner, site, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    assert runner.invoke(args=["content", "export", str(first)]).exit_code == 0
    empty_site()
    assert item_count() == 4

    result = runner.invoke(args=["content", "import", str(first)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Imported:",
        "  nl: 5 items, 2 media files",
        "  fr: 2 items, 0 media files",
        "  de: 0 items, 0 media files",
        "  en: 0 items, 0 media files",
    ]
    assert runner.invoke(args=["content", "export", str(second)]).exit_code == 0
    assert tree(second) == tree(first)

    db.session.expire_all()
    draft = items.item_by_path("nl/opleiding/les-2")
    assert (draft.state, draft.live_revision_number, draft.latest_revision_number) == (
        "private",
        1,
        2,
    )
    assert items.live(draft).body == "Gepubliceerd.\n"
    assert items.latest(draft).body == "Nieuwe tekst.\n\n"
    assert items.item_by_path("nl/opleiding/concept").state == "pending"
    assert not items.item_by_path("nl/prive").is_live
    french = items.item_by_path("fr/opleiding/les-1")
    assert french.translation_source.path == "nl/opleiding/les-1"
    assert french.needs_translation
    photo = db.session.scalar(select(MediaFile).where(MediaFile.filename == "Foto_kaart.png"))
    assert f"![Kaart](/media/{photo.id}/Foto_kaart.png)" in items.latest(french).body
    root = items.language_root("nl")
    assert (items.live(root).title, items.latest(root).title) == ("Tracing", "Welkom")


@pytest.mark.db
def test_imported_content_is_served_and_searchable(runner, site, tmp_path, client):
    assert runner.invoke(args=["content", "export", str(tmp_path / "out")]).exit_code == 0
    empty_site()
    assert runner.invoke(args=["content", "import", str(tmp_path / "out")]).exit_code == 0
    db.session.expire_all()
    page = client.get("/nl/opleiding/les-1").get_data(as_text=True)
    photo = db.session.scalar(select(MediaFile).where(MediaFile.filename == "Foto_kaart.png"))
    assert f'src="/media/{photo.id}/Foto_kaart.png"' in page
    response = client.get(f"/media/{photo.id}/Foto_kaart.png")
    response.close()
    assert response.status_code == 200
    assert "Gepubliceerd." in client.get("/nl/opleiding/les-2").get_data(as_text=True)
    assert "les-2" in client.get("/nl/search?q=Gepubliceerd").get_data(as_text=True)


@pytest.mark.parametrize(
    "body", ["", "x", "x\n", "x\n\n", "\n", "---\n", "a\n---\nb", "---\nc: d\n---\n", " \n"]
)
def test_a_body_comes_back_unchanged(body):
    meta = {"title": "T", "description": "a\n---\nb"}
    text = dump_document(meta, body)
    assert text.endswith("\n")
    assert parse_document(text) == (meta, body)


def test_body_line_endings_become_lf():
    text = dump_document({"title": "T"}, "a\r\nb\rc\r\n")
    assert "\r" not in text
    assert parse_document(text) == ({"title": "T"}, "a\nb\nc\n")


@pytest.mark.db
def test_same_media_names_on_one_item_get_numbers(runner, create_page, content_admin, tmp_path):
    page = create_page(slug="foto", title="Foto's")
    first = add_media(page, io.BytesIO(png_bytes()), "kaart.png", uploader=content_admin)
    second = add_media(page, io.BytesIO(png_bytes()), "KAART.png", uploader=content_admin)
    page_body = f"![a](/media/{first.id}/kaart.png) ![b](/media/{second.id}/KAART.png)"
    items.save_revision(
        page,
        base_number=page.latest_revision_number,
        title="Foto's",
        description="",
        body=page_body,
        actor=content_admin,
    )
    db.session.commit()
    out, again = tmp_path / "out", tmp_path / "again"
    assert runner.invoke(args=["content", "export", str(out)]).exit_code == 0
    text = (out / "nl/foto.md").read_text()
    assert "media:\n- kaart.png\n- KAART-2.png\n" in text
    assert "![a](media:nl/foto/kaart.png) ![b](media:nl/foto/KAART-2.png)" in text
    empty_site()
    assert runner.invoke(args=["content", "import", str(out)]).exit_code == 0
    assert runner.invoke(args=["content", "export", str(again)]).exit_code == 0
    assert tree(again) == tree(out)


@pytest.mark.db
def test_export_refuses_a_folder_that_is_not_empty(runner, roots, tmp_path):
    (tmp_path / "old.md").write_text("old")
    result = runner.invoke(args=["content", "export", str(tmp_path)])
    assert result.exit_code == 1
    assert f"The folder {tmp_path} is not empty." in result.output


@pytest.mark.db
def test_import_into_an_existing_folder_comes_after_its_items(
    runner, create_page, content_admin, tmp_path
):
    course = create_page(type="folder", slug="opleiding", title="Opleiding")
    create_page(parent=course, slug="bestaand", title="Bestaand")
    photo = add_media(course, io.BytesIO(png_bytes()), "kaart.png", uploader=content_admin)
    db.session.commit()
    write(tmp_path, "nl/opleiding/nieuw.md", body="![k](media:nl/opleiding/kaart.png)")
    result = runner.invoke(args=["content", "import", str(tmp_path)])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    new = items.item_by_path("nl/opleiding/nieuw")
    assert [child.slug for child in new.parent.children] == ["bestaand", "nieuw"]
    assert items.latest(new).body == f"![k](/media/{photo.id}/kaart.png)"
    assert new.owner_id == content_admin.id


@pytest.mark.db
def test_import_needs_an_account_that_may_publish(runner, roots, create_user, tmp_path):
    write(tmp_path, "nl/p.md")
    result = runner.invoke(args=["content", "import", str(tmp_path)])
    assert result.exit_code == 1
    assert "There is no active administrator: create one, or name an account with --as." in (
        result.output
    )
    create_user(email="editor@example.org", roles=["editor"])
    result = runner.invoke(args=["content", "import", str(tmp_path), "--as", "editor@example.org"])
    assert result.exit_code == 1
    assert "editor@example.org may not write and publish content: name an administrator." in (
        result.output
    )
    create_user(email="both@example.org", roles=["editor", "reviewer"])
    result = runner.invoke(args=["content", "import", str(tmp_path), "--as", "both@example.org"])
    assert result.exit_code == 0, result.output
    assert item_count() == 5


# --- Invalid imports: every problem is reported, and nothing changes --------------------


def meta(**changes) -> dict:
    """Return the front matter of a valid private Dutch page, with changes."""
    found = {
        "type": "page",
        "language": "nl",
        "slug": "p",
        "order": 0,
        "state": "private",
        "live": False,
        "translation_group": GROUP,
        "translation_of": None,
        "needs_translation": False,
        "title": "P",
        "description": "",
        "media": [],
    }
    found.update(changes)
    return {key: value for key, value in found.items() if value != "-"}


def write(folder, relative: str, body: str = "", **changes) -> None:
    """Write an item file; the slug comes from the file name unless changed."""
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    stem = path.name.removesuffix(".md")
    changes.setdefault("slug", path.parent.name if stem == "_index" else stem)
    path.write_text(dump_document(meta(**changes), body), encoding="utf-8")


def write_raw(folder, relative: str, content: str | bytes) -> None:
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


def folder_meta(**changes) -> dict:
    return {"type": "folder", **changes}


INVALID = {
    "yaml": (
        lambda d: write_raw(d, "nl/p.md", "---\ntype: page\nslug: x: y\n---\nbody\n"),
        "nl/p.md: The front matter is not valid YAML (line 3): mapping values are not allowed here",
    ),
    "no front matter": (
        lambda d: write_raw(d, "nl/p.md", "Just text.\n"),
        "nl/p.md: The file must start with front matter between two --- lines.",
    ),
    "not a mapping": (
        lambda d: write_raw(d, "nl/p.md", "---\n- a\n---\n"),
        "nl/p.md: The front matter must be YAML keys with values.",
    ),
    "missing keys": (
        lambda d: write(d, "nl/p.md", title="-", media="-"),
        "nl/p.md: Missing keys: title, media.",
    ),
    "unknown keys": (
        lambda d: write(d, "nl/p.md", author="Ada", date="2020"),
        "nl/p.md: Unknown keys: author, date.",
    ),
    "wrong type": (
        lambda d: write(d, "nl/p.md", order="first"),
        "nl/p.md: order: expected integer.",
    ),
    "boolean as text": (
        lambda d: write(d, "nl/p.md", live="yes"),
        "nl/p.md: live: expected boolean.",
    ),
    "media not a list": (
        lambda d: write(d, "nl/p.md", media="a.png"),
        "nl/p.md: media: expected list of strings.",
    ),
    "not utf-8": (
        lambda d: write_raw(d, "nl/p.md", "---\ntitle: café\n---\n".encode("latin-1")),
        "nl/p.md: The file is not UTF-8 text.",
    ),
    "unknown type": (
        lambda d: write(d, "nl/p.md", type="video"),
        "nl/p.md: Unknown content type.",
    ),
    "language not offered": (
        lambda d: write(d, "es/p.md", language="es"),
        "es/p.md: This language is not offered.",
    ),
    "language of another folder": (
        lambda d: write(d, "nl/p.md", language="fr"),
        "nl/p.md: The language must be nl, as its folder says.",
    ),
    "invalid slug": (
        lambda d: write(d, "nl/Over_ons.md"),
        "nl/Over_ons.md: Use lower-case letters, digits and hyphens only "
        "(for example: quarantine-rules).",
    ),
    "slug of another file": (
        lambda d: write(d, "nl/p.md", slug="q"),
        "nl/p.md: The slug must be p, as the file name says.",
    ),
    "reserved slug": (
        lambda d: write(d, "nl/search.md"),
        "nl/search.md: This address is used by the site itself. Choose another.",
    ),
    "duplicate slug": (
        lambda d: (
            write(d, "nl/x.md"),
            write(d, "nl/x/_index.md", **folder_meta(translation_group=OTHER_GROUP)),
        ),
        "nl/x.md: Another file in this folder uses the slug x.",
    ),
    "folder as a page file": (
        lambda d: write(d, "nl/map.md", **folder_meta()),
        "nl/map.md: Items of type folder are written as map/_index.md.",
    ),
    "page as a folder file": (
        lambda d: write(d, "nl/map/_index.md"),
        "nl/map/_index.md: Items of type page are written as map.md.",
    ),
    "missing folder": (
        lambda d: write(d, "nl/nergens/p.md"),
        "nl/nergens/p.md: Its folder nl/nergens is neither in the import nor in the site.",
    ),
    "page holding items": (
        lambda d: (write(d, "nl/x.md"), write(d, "nl/x/p.md", translation_group=OTHER_GROUP)),
        "nl/x/p.md: This folder cannot hold this kind of item.",
    ),
    "translation_of nowhere": (
        lambda d: write(d, "fr/p.md", language="fr", translation_of="nl/weg"),
        "fr/p.md: translation_of: there is no item nl/weg in the import or the site.",
    ),
    "translation_of another group": (
        lambda d: (
            write(d, "nl/p.md"),
            write(
                d, "fr/p.md", language="fr", translation_group=OTHER_GROUP, translation_of="nl/p"
            ),
        ),
        "fr/p.md: translation_of must name another item of the same translation group.",
    ),
    "group twice in a language": (
        lambda d: (write(d, "nl/a.md"), write(d, "nl/b.md")),
        f"nl/b.md: Another item of translation group {GROUP} is in this language: nl/a.",
    ),
    "group not a uuid": (
        lambda d: write(d, "nl/p.md", translation_group="1234"),
        "nl/p.md: translation_group must be a UUID such as 0b0f6c1e-7d5a-4a36-9a4b-2f3c8d9e1a20.",
    ),
    "media missing": (
        lambda d: write(d, "nl/p.md", media=["kaart.png"]),
        "nl/p.md: Media file kaart.png is missing.",
    ),
    "media of a forbidden type": (
        lambda d: (
            write(d, "nl/p.md", media=["tool.elf"]),
            write_raw(d, "nl/p.media/tool.elf", b"\x7fELF\x02\x01\x01" + bytes(64)),
        ),
        "nl/p.media/tool.elf: This file type is not allowed: application/x-executable.",
    ),
    "media named for another type": (
        lambda d: (
            write(d, "nl/p.md", media=["kaart.jpg"]),
            write_raw(d, "nl/p.media/kaart.jpg", png_bytes()),
        ),
        "nl/p.media/kaart.jpg: Rename the file to kaart.png, the name the site would give it.",
    ),
    "broken image": (
        lambda d: (
            write(d, "nl/p.md", media=["kaart.png"]),
            write_raw(d, "nl/p.media/kaart.png", png_bytes()[:40]),
        ),
        "nl/p.media/kaart.png: The image could not be read. It may be damaged.",
    ),
    "media not listed": (
        lambda d: (write(d, "nl/p.md"), write_raw(d, "nl/p.media/extra.pdf", PDF)),
        "nl/p.media/extra.pdf: Not listed under media in p.md.",
    ),
    "media listed twice": (
        lambda d: (
            write(d, "nl/p.md", media=["gids.pdf", "gids.pdf"]),
            write_raw(d, "nl/p.media/gids.pdf", PDF),
        ),
        "nl/p.md: gids.pdf is listed twice under media.",
    ),
    "unknown media reference": (
        lambda d: write(d, "nl/p.md", body="![x](media:nl/q/kaart.png)"),
        "nl/p.md: media:nl/q/kaart.png names no media file of the import or the site.",
    ),
    "published but not live": (
        lambda d: write(d, "nl/p.md", state="published"),
        "nl/p.md: A published item must have live: true.",
    ),
    "live draft without live file": (
        lambda d: write(d, "nl/p.md", live=True),
        "nl/p.md: The item is live with changes not published yet: p.live.md, what visitors "
        "see, is missing.",
    ),
    "live file of an item that is not live": (
        lambda d: (
            write(d, "nl/p.md"),
            write_raw(d, "nl/p.live.md", "---\ntitle: L\ndescription: ''\n---\n"),
        ),
        "nl/p.live.md: Only an item with live: true and a state other than published has a "
        "live file.",
    ),
    "unknown state": (
        lambda d: write(d, "nl/p.md", state="draft"),
        "nl/p.md: Unknown state draft: use private, pending or published.",
    ),
    "empty title": (
        lambda d: write(d, "nl/p.md", title="  "),
        "nl/p.md: A title is required.",
    ),
    "title too long": (
        lambda d: write(d, "nl/p.md", title="x" * 301),
        "nl/p.md: title is too long: at most 300 characters.",
    ),
    "root with a group": (
        lambda d: write(d, "nl/_index.md", **folder_meta(slug="nl", live=True, state="published")),
        "nl/_index.md: A language root must be a live folder with slug nl, order 0, state "
        "published or private, and no translation group or source.",
    ),
    "unexpected file": (
        lambda d: write_raw(d, "nl/notities.txt", "notes"),
        "nl/notities.txt: This does not belong in a content folder (see its description).",
    ),
    "orphan live file": (
        lambda d: write_raw(d, "nl/weg.live.md", "---\ntitle: L\ndescription: ''\n---\n"),
        "nl/weg.live.md: This does not belong in a content folder (see its description).",
    ),
}


@pytest.mark.db
@pytest.mark.parametrize("case", INVALID)
def test_invalid_import_reports_the_file_and_changes_nothing(
    runner, roots, content_admin, tmp_path, case
):
    make, expected = INVALID[case]
    write(tmp_path, "nl/goed.md", translation_group="9e8d7c6b-5a49-4837-a261-504f3e2d1c0b")
    make(tmp_path)
    before, media_before = item_count(), media_folder_listing()
    result = runner.invoke(args=["content", "import", str(tmp_path)])
    assert result.exit_code == 1
    assert expected in result.output.splitlines(), result.output
    assert "Error: Nothing was imported" in result.output
    assert item_count() == before
    assert items.item_by_path("nl/goed") is None
    assert media_folder_listing() == media_before


@pytest.mark.db
def test_invalid_import_with_a_valid_image_writes_no_media(runner, roots, content_admin, tmp_path):
    write(tmp_path, "nl/p.md", media=["kaart.png"])
    write_raw(tmp_path, "nl/p.media/kaart.png", png_bytes())
    write(tmp_path, "nl/q.md", state="published")
    media_before = media_folder_listing()
    result = runner.invoke(args=["content", "import", str(tmp_path)])
    assert result.exit_code == 1
    assert "nl/q.md: A published item must have live: true." in result.output
    assert media_folder_listing() == media_before
    assert db.session.scalar(select(func.count()).select_from(MediaFile)) == 0


@pytest.mark.db
def test_media_too_large_is_refused(runner, roots, content_admin, tmp_path, app, monkeypatch):
    monkeypatch.setitem(app.config, "MEDIA_MAX_BYTES", 10)
    write(tmp_path, "nl/p.md", media=["gids.pdf"])
    write_raw(tmp_path, "nl/p.media/gids.pdf", PDF)
    result = runner.invoke(args=["content", "import", str(tmp_path)])
    assert result.exit_code == 1
    assert "nl/p.media/gids.pdf: The file is too large: at most 10 bytes." in result.output


@pytest.mark.db
def test_an_item_already_in_the_site_is_refused(runner, create_page, tmp_path):
    create_page(slug="bestaat", title="Bestaat")
    write(tmp_path, "nl/bestaat.md")
    before = item_count()
    result = runner.invoke(args=["content", "import", str(tmp_path)])
    assert result.exit_code == 1
    assert "nl/bestaat.md: An item already exists at this address in the site." in (
        result.output.splitlines()
    )
    assert item_count() == before


@pytest.mark.db
def test_every_problem_is_listed_by_file(runner, roots, content_admin, tmp_path):
    write(tmp_path, "nl/b.md", type="video", order="x")
    write(tmp_path, "nl/a.md", state="published")
    result = runner.invoke(args=["content", "import", str(tmp_path)])
    assert result.output.splitlines() == [
        "nl/a.md: A published item must have live: true.",
        "nl/b.md: order: expected integer.",
        "Error: Nothing was imported: 2 problems.",
    ]


@pytest.mark.db
def test_a_failure_while_writing_rolls_everything_back(
    runner, roots, content_admin, tmp_path, monkeypatch
):
    from content.media.operations import MediaError
    from content.transfer import importer

    calls = []

    def add_media_then_fail(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise MediaError("Disk trouble.")
        return add_media(*args, **kwargs)

    monkeypatch.setattr(importer, "add_media", add_media_then_fail)
    write(tmp_path, "nl/a.md", media=["kaart.png"])
    write_raw(tmp_path, "nl/a.media/kaart.png", png_bytes())
    write(tmp_path, "nl/b.md", media=["gids.pdf"], translation_group=OTHER_GROUP)
    write_raw(tmp_path, "nl/b.media/gids.pdf", PDF)
    files_before = {name for name in media_folder_listing() if "." in name}
    before = item_count()
    result = runner.invoke(args=["content", "import", str(tmp_path)])
    assert result.exit_code == 1
    assert "Error: Disk trouble." in result.output
    assert len(calls) == 2
    assert item_count() == before
    assert db.session.scalar(select(func.count()).select_from(MediaFile)) == 0
    assert {name for name in media_folder_listing() if "." in name} == files_before
