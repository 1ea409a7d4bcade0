"""Four languages: URLs, negotiation, the switcher, formats and complete catalogs."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from babel.messages.pofile import read_po

from content import TRANSLATIONS_DIRECTORY

LANGUAGES = ["nl", "fr", "de", "en"]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [("fr-BE,fr;q=0.9,en;q=0.5", "/fr/"), ("de-DE", "/de/"), ("nl-BE", "/nl/"), ("es", "/nl/")],
)
def test_first_visit_is_negotiated_from_accept_language(client, accept, expected):
    response = client.get("/", headers={"Accept-Language": accept})
    assert response.status_code == 302
    assert response.location == expected


def test_signed_in_user_goes_to_their_own_language(client, auth):
    auth.login_as("agent", locale="de")
    assert client.get("/", headers={"Accept-Language": "fr"}).location == "/de/"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_html_lang_matches_the_url(client, lang):
    text = client.get(f"/{lang}/login").get_data(as_text=True)
    assert f'<html lang="{lang}">' in text


def test_unknown_language_is_not_found(client):
    assert client.get("/es/login").status_code == 404


def test_switcher_keeps_the_page_and_its_query(client):
    text = client.get("/en/login?next=/en/account").get_data(as_text=True)
    links = dict(re.findall(r'<a href="([^"]+)" hreflang="(\w+)"', text))
    by_lang = {lang: href for href, lang in links.items()}
    assert by_lang["fr"] == "/fr/login?next=/en/account"
    assert by_lang["nl"] == "/nl/login?next=/en/account"
    assert set(by_lang) == set(LANGUAGES)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "Sign in"), ("nl", "Aanmelden"), ("fr", "Se connecter"), ("de", "Anmelden")],
)
def test_pages_are_translated(client, lang, expected):
    text = client.get(f"/{lang}/login").get_data(as_text=True)
    assert f"<h1>{expected}</h1>" in text


def test_dates_are_formatted_per_locale(app):
    from flask_babel import force_locale, format_date

    moment = datetime(2020, 3, 17, 10, 30, tzinfo=UTC)
    with app.test_request_context():
        formatted = {}
        for lang in LANGUAGES:
            with force_locale(lang):
                formatted[lang] = format_date(moment, "long")
    assert formatted == {
        "nl": "17 maart 2020",
        "fr": "17 mars 2020",
        "de": "17. März 2020",
        "en": "March 17, 2020",
    }


def test_kept_translations_follow_force_locale_and_refresh(app):
    """The translations kept per request change with ``force_locale`` and ``refresh``."""
    from flask import g, render_template_string
    from flask_babel import force_locale, refresh

    from content.i18n import _, _l, ngettext

    label = _l("Page not found")
    agents = ("%(num)d agent active", "%(num)d agents active")
    template = (
        "{{ _('Page not found') }}|"
        "{{ ngettext('%(num)d agent active', '%(num)d agents active', 2) }}"
    )
    # A request of its own (the tests' app context would share g with the next one).
    with app.app_context(), app.test_request_context("/nl/login"):
        app.preprocess_request()
        assert _("Page not found") == "Pagina niet gevonden"
        assert str(label) == "Pagina niet gevonden"
        with force_locale("fr"):
            assert _("Page not found") == "Page introuvable"
            assert str(label) == "Page introuvable"
            with force_locale("de"):
                assert render_template_string(template).startswith("Seite nicht gefunden|")
            assert ngettext(*agents, 1) == "1 agent actif"
        assert render_template_string(template) == "Pagina niet gevonden|2 medewerkers actief"
        assert ngettext(*agents, 1) == "1 medewerker actief"
        assert ngettext(*agents, 3) == "3 medewerkers actief"
        g.lang_code = "de"
        refresh()
        assert _("Page not found") == "Seite nicht gefunden"
    with app.app_context(), app.test_request_context("/fr/login"):
        app.preprocess_request()
        assert str(label) == "Page introuvable"
    assert _("Page not found") == "Page not found"  # no application: untranslated


def test_a_page_finds_its_translations_once(app, client, monkeypatch):
    """A page of many strings asks Flask-Babel for its translations once."""
    import content.i18n

    found = []
    real = content.i18n.get_translations
    monkeypatch.setattr(content.i18n, "get_translations", lambda: found.append(1) or real())
    with app.app_context():  # a request of its own (the tests' app context shares g)
        page = client.get("/nl/login").get_data(as_text=True)
    assert "<h1>Aanmelden</h1>" in page
    assert len(found) == 1


TEMPLATES_WITH_STRINGS = [
    "{{ _('Page not found') }}",
    "{{ gettext('Page not found') }} {{ _('50%% of %(name)s', name='<b>') }}",
    "{{ ngettext('%(num)d agent active', '%(num)d agents active', 2) }}",
    "{{ ngettext('%(num)d agent active', '%(num)d agents active', 1) }} {{ 'x'|e }}",
    "{% trans name='<i>' %}Hello {{ name }}, 100%{% endtrans %}",
    "{% trans string='<s>', context='c' %}{{ string }} {{ context }}{% endtrans %}",
    "{% trans count=3 %}{{ count }} agent{% pluralize %}{{ count }} agents{% endtrans %}",
    "{% autoescape false %}{{ _('Hello %(name)s', name='<b>') }}{% endautoescape %}",
]


@pytest.mark.parametrize("source", TEMPLATES_WITH_STRINGS)
def test_template_gettext_renders_as_jinjas_own(app, source):
    """Templates' ``_``/``gettext``/``ngettext``/``trans`` give what Jinja's new-style ones give."""
    from flask import render_template_string
    from jinja2 import Environment

    from content.i18n import translations

    reference = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    reference.install_gettext_callables(
        gettext=lambda string: translations().ugettext(string),
        ngettext=lambda singular, plural, num: translations().ungettext(singular, plural, num),
        newstyle=True,
    )
    with app.app_context(), app.test_request_context("/nl/login"):
        app.preprocess_request()
        assert render_template_string(source) == reference.from_string(source).render()


def test_error_pages_are_translated(client):
    text = client.get("/fr/no-such-page").get_data(as_text=True)
    assert '<html lang="fr">' in text
    assert "Page introuvable" in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_has_no_untranslated_or_fuzzy_entry(lang):
    path = TRANSLATIONS_DIRECTORY / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(message.id)
    assert not problems, f"{lang}: untranslated or fuzzy: {problems}"


def test_catalogs_contain_every_string_of_the_source(tmp_path):
    """Extract the strings afresh: a new string missing from the catalogs fails here."""
    from content.cli import PROJECT_ROOT, SOURCE_PACKAGES

    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract",
         "-F", str(PROJECT_ROOT / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext",
         "-o", str(pot), *[str(PROJECT_ROOT / p) for p in SOURCE_PACKAGES]],
        check=True,
    )  # fmt: skip
    with pot.open("rb") as fh:
        source_ids = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    for lang in LANGUAGES:
        with (TRANSLATIONS_DIRECTORY / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
            catalog_ids = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
        missing = source_ids - catalog_ids
        assert not missing, f"{lang} lacks {sorted(missing)}: run `tracing-app translations update`"


def test_every_template_with_strings_is_where_the_extractor_looks():
    """No template with strings sits in a directory Babel's extractor skips.

    It skips directories whose name starts with "_" or ".": the strings of a template
    there would never reach the catalogs and would show in English in every language.
    """
    from content.cli import PROJECT_ROOT, SOURCE_PACKAGES

    hidden = [
        str(path.relative_to(PROJECT_ROOT))
        for package in SOURCE_PACKAGES
        for path in (PROJECT_ROOT / package).rglob("templates/**/*.html")
        if any(part[:1] in "_." for part in path.relative_to(PROJECT_ROOT).parent.parts)
        and re.search(r"\b_\(|gettext\(|\{%-? *trans", path.read_text(encoding="utf-8"))
    ]
    assert not hidden, f"templates the string extraction skips: {hidden}"
