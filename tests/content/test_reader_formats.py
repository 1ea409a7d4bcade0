"""Numbers, percentages and language names the reader's way."""

from __future__ import annotations

from flask_babel import force_locale

from content.i18n import format_percent, language_name


def test_percentages_follow_the_readers_locale(app):
    with app.test_request_context():
        shown = {}
        for lang in ["nl", "fr", "de", "en"]:
            with force_locale(lang):
                shown[lang] = (format_percent(50), format_percent(12.345), format_percent(80, 0))
    assert shown == {
        "nl": ("50,0\u00a0%", "12,3\u00a0%", "80\u00a0%"),
        "fr": ("50,0\u00a0%", "12,3\u00a0%", "80\u00a0%"),
        "de": ("50,0\u00a0%", "12,3\u00a0%", "80\u00a0%"),
        "en": ("50.0%", "12.3%", "80%"),
    }


def test_languages_are_named_in_the_readers_language(app):
    with app.test_request_context():
        with force_locale("nl"):
            assert [language_name(code) for code in ["fr", "nl", "de", "en"]] == [
                "Frans",
                "Nederlands",
                "Duits",
                "Engels",
            ]
        with force_locale("fr"):
            assert language_name("nl") == "Néerlandais"
        assert language_name("") == ""
        assert language_name("xx-unknown") == "xx-unknown"
