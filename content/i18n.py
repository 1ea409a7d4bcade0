"""Translation helpers and the language-in-the-URL rules."""

from __future__ import annotations

import os

from babel import Locale
from babel.support import NullTranslations
from flask import Flask, abort, current_app, g, has_request_context, request
from flask_babel import format_decimal, get_locale, get_translations
from flask_babel.speaklater import LazyString
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

__all__ = [
    "_",
    "_l",
    "gettext",
    "language_name",
    "language_names",
    "lazy_gettext",
    "ngettext",
    "select_locale",
    "site_languages",
]

LANG_ARG = "lang_code"


def translations() -> NullTranslations:
    """Return the current translations, looked up once per request and language.

    Flask-Babel finds them anew for every string (its context three times, the locale,
    the locale's name); a page translates dozens. They are kept in Flask-Babel's own
    context (``g._flask_babel``) together with the locale they were found for, so
    ``force_locale`` (which puts another locale there) and ``refresh`` are obeyed.
    """
    try:
        context = g._flask_babel
    except (AttributeError, RuntimeError):  # not yet made; outside an application context
        return get_translations()
    kept = getattr(context, "kept_translations", None)
    locale = getattr(context, "babel_locale", None)
    domain = getattr(context, "babel_domain", None)
    if kept is not None and locale is not None and kept[0] is locale and kept[1] is domain:
        return kept[2]
    found = get_translations()
    context.kept_translations = (context.babel_locale, context.babel_domain, found)
    return found


def gettext(string: str, **variables) -> str:
    """Translate ``string`` into the current language, then fill in ``variables``."""
    translated = translations().ugettext(string)
    return translated % variables if variables else translated


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """Translate the singular or plural form for ``num`` (available as ``%(num)d``)."""
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables


def lazy_gettext(string: str, **variables) -> LazyString:
    """Like :func:`gettext`, translated when used (module-level texts: form labels)."""
    return LazyString(gettext, string, **variables)


_ = gettext
_l = lazy_gettext


@pass_context
def template_gettext(context: Context, string: str, /, **variables) -> str:
    """Jinja's new-style ``gettext`` (``trans`` blocks too), on the kept translations."""
    translated = translations().ugettext(string)
    if context.eval_ctx.autoescape:
        # As Jinja's: the catalog's text is markup; the variables are escaped by ``%``.
        translated = Markup(translated)  # noqa: S704
    # Always a format string, as in Jinja's own: "%%" is "%" with or without variables.
    return translated % variables


@pass_context
def template_ngettext(
    context: Context, singular: str, plural: str, num: int, /, **variables
) -> str:
    """Jinja's new-style ``ngettext`` (``trans`` with ``pluralize``), on the kept translations."""
    variables.setdefault("num", num)
    translated = translations().ungettext(singular, plural, num)
    if context.eval_ctx.autoescape:
        translated = Markup(translated)  # noqa: S704 - as template_gettext
    return translated % variables


def install_template_gettext(app: Flask) -> None:
    """Give templates' ``_``, ``gettext``, ``ngettext`` and ``trans`` the kept translations.

    Replaces Flask-Babel's callables (the translations looked up anew for each string)
    and Jinja's ``_``, which looks ``gettext`` up and calls it through the context at
    every use; ``template_gettext`` behaves as Jinja's new-style ``gettext``.
    """
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: translations().ugettext(string),
        ngettext=lambda singular, plural, num: translations().ungettext(singular, plural, num),
        pgettext=lambda context, string: translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, num: translations().unpgettext(
            context, singular, plural, num
        ),
        newstyle=True,
    )
    app.jinja_env.globals.update(
        _=template_gettext, gettext=template_gettext, ngettext=template_ngettext
    )


def site_languages() -> list[str]:
    """Return the site's language codes in display order."""
    return current_app.config["LANGUAGES"]


def language_names() -> dict[str, str]:
    """Return each site language's name in that language (for the switcher)."""
    return {
        code: Locale.parse(code).get_display_name(code).capitalize() for code in site_languages()
    }


def language_name(code: str | None) -> str:
    """Return a language's name in the reader's language ("Frans" on a Dutch page), not its code.

    An unknown code is returned as it is.
    """
    if not code:
        return ""
    try:
        return Locale.parse(code).get_display_name(str(get_locale() or "en")).capitalize()
    except (ValueError, TypeError):
        return code


def format_percent(value, decimals: int = 1) -> str:
    """Return a percentage (``value`` in percent: 50 → 50 %) the reader's way.

    Decimals with the locale's separator (``50,0`` in nl, fr, de), and the space before the
    sign that Dutch, French and German write (a no-break space), none in English.
    """
    if value is None:
        return ""
    pattern = "#,##0." + "0" * decimals if decimals else "#,##0"
    number = format_decimal(value, format=pattern)
    language = str(get_locale() or "en").split("_")[0]
    return f"{number}%" if language == "en" else f"{number}\u00a0%"


def preferred_language() -> str:
    """Return the language for a visitor without one in the URL.

    The user's own choice comes first, then the browser's ``Accept-Language``.
    """
    if current_user and current_user.is_authenticated and current_user.locale in site_languages():
        return current_user.locale
    return request.accept_languages.best_match(
        site_languages(), default=current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def select_locale() -> str:
    """Flask-Babel locale selector: the URL's language, else the preferred one.

    Outside a request (the command line) the shell's ``LANG`` decides, else English; the
    API (``/api/``) answers in English unless ``Accept-Language`` asks for another.
    """
    if not has_request_context():
        shell_language = os.environ.get("LANG", "")[:2]
        return shell_language if shell_language in site_languages() else "en"
    if request.path.startswith("/api/"):
        # Machine clients: English unless the request asks for another language.
        return request.accept_languages.best_match(site_languages(), default="en")
    return g.get("lang_code") or _language_of_path() or preferred_language()


def _language_of_path() -> str | None:
    """Return the language of a URL no rule matched (``/fr/no-such-page`` → fr)."""
    first = request.path.lstrip("/").split("/", 1)[0]
    return first if first in site_languages() else None


def pull_lang_code(endpoint: str | None, values: dict | None) -> None:
    """Move ``lang_code`` from the matched URL into ``g`` (404 for an unknown language)."""
    if values and LANG_ARG in values:
        lang_code = values.pop(LANG_ARG)
        if lang_code not in site_languages():
            abort(404)
        g.lang_code = lang_code


def add_lang_code(endpoint: str, values: dict) -> None:
    """Fill ``lang_code`` in ``url_for`` for localized endpoints, from the current page."""
    if LANG_ARG in values:
        return
    if current_app.url_map.is_endpoint_expecting(endpoint, LANG_ARG):
        values[LANG_ARG] = g.get("lang_code") or select_locale()
