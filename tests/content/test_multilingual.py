"""Linked translations: creating, switching, missing and outdated translations."""

import re

import pytest
from sqlalchemy.exc import IntegrityError

from content.extensions import db
from content.items import operations as items
from content.items.models import ContentItem
from content.multilingual import operations as multilingual
from content.workflow.operations import transition
from tests.fixtures.web import post_form, translated

pytestmark = pytest.mark.db


def _switcher(text):
    return {
        lang: href for href, lang in re.findall(r'<a href="([^"]+)" hreflang="(\w+)" lang=', text)
    }


def test_translate_creates_a_linked_prefilled_item(client, auth, create_page):
    source = create_page(title="Quarantaine", slug="quarantaine", body="Blijf thuis.")
    auth.login_as("editor")
    response = post_form(client, f"/nl/cms/items/{source.id}/translate", {"language": "fr"})
    assert response.status_code == 302
    translation = db.session.query(ContentItem).filter_by(language="fr", slug="quarantaine").one()
    assert translation.translation_group == source.translation_group
    assert translation.needs_translation
    assert items.latest(translation).body == "Blijf thuis."
    # The interface follows the editor (Dutch); the texts are marked as French.
    assert response.location == f"/nl/cms/items/{translation.id}/edit"
    editor = client.get(response.location).get_data(as_text=True)
    assert '<html lang="nl">' in editor
    assert re.search(
        r'<input[^>]*id="title"[^>]*lang="fr"|<input[^>]*lang="fr"[^>]*id="title"', editor
    )
    assert "Frans" in editor


def test_writing_the_translation_ends_to_translate(client, auth, create_page, content_admin):
    source = create_page(title="Testen", slug="testen", body="Laat je testen.")
    translation = multilingual.translate(source, "fr", actor=content_admin)
    db.session.commit()
    assert translation in multilingual.translations_to_do()
    items.save_revision(  # saved as copied: still to translate
        translation,
        base_number=1,
        title="Testen",
        description="",
        body="Laat je testen.",
        actor=content_admin,
    )
    assert translation.needs_translation
    items.save_revision(
        translation,
        base_number=2,
        title="Tests",
        description="",
        body="Faites-vous tester.",
        actor=content_admin,
    )
    db.session.commit()
    assert not translation.needs_translation
    assert translation not in multilingual.translations_to_do()


def test_overview_names_items_in_the_readers_language(client, auth, create_page, content_admin):
    source = create_page(title="Quarantaine", slug="quarantaine", body="Blijf thuis.")
    translation = multilingual.translate(source, "de", actor=content_admin)
    items.save_revision(
        translation,
        base_number=1,
        title="Quarantäne",
        description="",
        body="Bleiben Sie zu Hause.",
        actor=content_admin,
    )
    db.session.commit()
    auth.login_as("editor")
    dutch = client.get("/nl/cms/translations").get_data(as_text=True)
    assert ">Quarantaine</a>" in dutch
    assert "Quarantäne" not in dutch
    german = client.get("/de/cms/translations").get_data(as_text=True)
    assert ">Quarantäne</a>" in german
    french = client.get("/fr/cms/translations").get_data(as_text=True)  # none in French: source
    assert ">Quarantaine</a>" in french


def test_one_item_per_language_in_a_group(create_page, content_admin):
    source = create_page(title="Eén", slug="een")
    multilingual.translate(source, "fr", actor=content_admin)
    db.session.commit()
    with pytest.raises(items.ContentError):
        multilingual.translate(source, "fr", actor=content_admin)
    db.session.rollback()
    duplicate = ContentItem(
        type="page",
        language="fr",
        slug="x",
        path="fr/x",
        translation_group=source.translation_group,
    )
    db.session.add(duplicate)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_language_roots_are_translations_of_each_other(app, roots):
    visitor = app.test_client()
    links = _switcher(visitor.get("/nl/").get_data(as_text=True))
    assert links == {"nl": "/nl/", "fr": "/fr/", "de": "/de/", "en": "/en/"}
    assert visitor.get(links["fr"]).status_code == 200
    assert multilingual.translations(roots["nl"]) == roots


def test_switcher_goes_to_the_linked_item_or_the_missing_page(app, create_page, content_admin):
    source = create_page(title="Testen", slug="testen")
    translation = multilingual.translate(source, "fr", actor=content_admin)
    items.save_revision(
        translation,
        base_number=1,
        title="Tests",
        description="",
        body="Se faire tester.",
        actor=content_admin,
    )
    transition(translation, "publish", actor=content_admin)
    db.session.commit()

    visitor = app.test_client()
    links = _switcher(visitor.get("/nl/testen").get_data(as_text=True))
    assert links["fr"] == "/fr/testen"
    assert links["de"].startswith("/de/translation-missing/")

    missing = visitor.get(links["de"])
    text = missing.get_data(as_text=True)
    assert missing.status_code == 404
    assert '<html lang="de">' in text
    assert 'href="/nl/testen"' in text
    assert 'href="/fr/testen"' in text


def test_unpublished_translation_counts_as_missing_for_visitors(app, create_page, content_admin):
    source = create_page(title="Alleen NL", slug="alleen-nl")
    multilingual.translate(source, "fr", actor=content_admin)
    db.session.commit()
    links = _switcher(app.test_client().get("/nl/alleen-nl").get_data(as_text=True))
    assert "/translation-missing/" in links["fr"]


def test_changed_source_flags_the_translation_outdated_with_a_diff(
    client, auth, create_page, content_admin
):
    source = create_page(title="Regels", slug="regels", body="Tien dagen quarantaine.")
    translation = multilingual.translate(source, "fr", actor=content_admin)
    multilingual.mark_up_to_date(translation)
    db.session.commit()
    assert not multilingual.is_outdated(translation)

    items.save_revision(
        source,
        base_number=1,
        title="Regels",
        description="",
        body="Zeven dagen quarantaine.",
        actor=content_admin,
    )
    db.session.commit()
    assert multilingual.is_outdated(translation)

    auth.login_as("editor")
    text = client.get(f"/fr/cms/items/{translation.id}/translations").get_data(as_text=True)
    # One line, word by word: the changed word struck out and the new one marked.
    assert re.search(r'<del class="diff-word">(<span[^>]*>[^<]*</span>)?Tien<', text)
    assert re.search(r'<ins class="diff-word">(<span[^>]*>[^<]*</span>)?Zeven<', text)
    assert "</ins> dagen quarantaine.</span>" in text
    assert f"<h3>{translated('fr', 'Text')}</h3>" in text  # the field's name, not `body`
    assert "<h3>body</h3>" not in text
    overview = client.get("/nl/cms/translations").get_data(as_text=True)
    assert translated("nl", "Translation outdated") in overview

    post_form(client, f"/fr/cms/items/{translation.id}/up-to-date", {})
    db.session.expire_all()
    assert not multilingual.is_outdated(db.session.get(ContentItem, translation.id))


def test_overview_shows_missing_languages(client, auth, create_page):
    create_page(title="Enkel Nederlands", slug="enkel")
    auth.login_as("editor")
    text = client.get("/nl/cms/translations").get_data(as_text=True)
    table = text[text.index("<tbody>") :]
    row = table[table.index("Enkel Nederlands") :].split("</tr>")[0]
    assert row.count(translated("nl", "Missing")) == 3
