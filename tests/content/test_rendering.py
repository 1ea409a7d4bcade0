"""Markdown rendering: the features editors use, and the XSS corpus against the allow-list."""

from __future__ import annotations

import html
import random
import re
import sys
import threading
import unicodedata
from html.parser import HTMLParser

import jinja2
import pytest
from markupsafe import Markup

from content.rendering import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    plain_text,
    render_inline,
    render_markdown,
    url_scheme,
)
from tests.content import xss_corpus
from tests.content.xss_corpus import PAYLOADS

# The checker's own allow-list, written out again on purpose: widening the module's
# allow-list must make a test fail until it is widened here too, after review.
EXPECTED_ATTRIBUTES = {
    **{f"h{level}": {"id"} for level in range(1, 7)},
    "a": {"href", "title", "rel"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "div": {"class"},
    "p": {"class"},
}
EXPECTED_TAGS = {f"h{level}" for level in range(1, 7)} | {
    *["p", "br", "hr", "a", "img", "ul", "ol", "li", "strong", "em", "b", "i", "code", "pre"],
    *["blockquote", "table", "thead", "tbody", "tr", "th", "td", "div", "sup", "sub", "del"],
    "ins",
}
EXPECTED_CLASSES = {
    "div": {"admonition", "note", "warning", "tip", "important", "danger", "attention"}
    | {"caution", "hint", "error"},
    "p": {"admonition-title"},
}
NEVER_TAGS = {"script", "svg", "math", "iframe", "style", "object", "embed", "base", "meta"}
NEVER_TAGS |= {"form", "link"}
LINK_SCHEMES = {"http", "https", "mailto"}
IMAGE_SCHEMES = {"https"}
SAFE_ID = re.compile(r"h-[\w-]+")


def _scheme(url: str) -> str | None:
    """Scheme as a browser could read it: decoded, without whitespace/controls, lower case."""
    previous = None
    while url != previous:
        previous, url = url, html.unescape(url)
    url = "".join(
        char
        for char in url
        if not char.isspace() and unicodedata.category(char) not in {"Cc", "Cf"}
    ).lower()
    head = re.split(r"[/?#]", url, maxsplit=1)[0]
    return head.split(":", 1)[0] if ":" in head else None


class HtmlChecker(HTMLParser):
    """Collect every way a piece of HTML breaks the rendering allow-list."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in NEVER_TAGS or tag not in EXPECTED_TAGS:
            self.problems.append(f"element <{tag}>")
        for name, value in attrs:
            self._check_attribute(tag, name, value or "")

    def handle_endtag(self, tag):
        if tag in NEVER_TAGS or tag not in EXPECTED_TAGS:
            self.problems.append(f"element </{tag}>")

    def handle_comment(self, data):
        self.problems.append(f"comment <!--{data}-->")

    def handle_decl(self, decl):
        self.problems.append(f"declaration <!{decl}>")

    def unknown_decl(self, data):
        self.problems.append(f"declaration <![{data}]>")

    def handle_pi(self, data):
        self.problems.append(f"processing instruction <?{data}>")

    def _check_attribute(self, tag: str, name: str, value: str) -> None:
        where = f"<{tag} {name}={value!r}>"
        if name.startswith("on"):
            self.problems.append(f"event handler {where}")
        elif name == "style":
            self.problems.append(f"style {where}")
        elif name not in EXPECTED_ATTRIBUTES.get(tag, set()):
            self.problems.append(f"attribute {where}")
        elif name in {"href", "src"}:
            scheme = _scheme(value)
            allowed = IMAGE_SCHEMES if tag == "img" else LINK_SCHEMES
            if scheme is not None and scheme not in allowed:
                self.problems.append(f"URL scheme {scheme!r} in {where}")
        elif name == "class" and not set(value.split()) <= EXPECTED_CLASSES[tag]:
            self.problems.append(f"class {where}")
        elif name == "id" and not SAFE_ID.fullmatch(value):
            self.problems.append(f"id {where}")


def html_problems(markup: str) -> list[str]:
    """Return what in ``markup`` breaks the allow-list (empty when it is safe)."""
    checker = HtmlChecker()
    checker.feed(str(markup))
    checker.close()
    return checker.problems


# -- the checker can fail ---------------------------------------------------------------

BAD_HTML = {
    "script": "<script>alert(1)</script>",
    "svg": "<svg></svg>",
    "unknown-element": "<marquee>x</marquee>",
    "onerror": '<img src="/a.png" onerror="alert(1)">',
    "upper-case-handler": '<p ONCLICK="alert(1)">x</p>',
    "style": '<p style="color:red">x</p>',
    "javascript-href": '<a href="javascript:alert(1)">x</a>',
    "entity-href": '<a href="&#106;avascript:alert(1)">x</a>',
    "double-entity-href": '<a href="&amp;#106;avascript:alert(1)">x</a>',
    "tab-href": '<a href="java&#x09;script:alert(1)">x</a>',
    "spaced-upper-href": '<a href=" JAVASCRIPT:alert(1)">x</a>',
    "data-img": '<img src="data:image/png;base64,AAAA">',
    "http-img": '<img src="http://example.org/a.png">',
    "vbscript-href": '<a href="vbscript:msgbox(1)">x</a>',
    "foreign-class": '<div class="admonition evil">x</div>',
    "unprefixed-id": '<h2 id="main">x</h2>',
    "id-off-heading": '<p id="h-x">x</p>',
    "comment": "<!-- hidden -->",
    "unlisted-attribute": '<a href="/" target="_blank">x</a>',
}


@pytest.mark.parametrize("bad", BAD_HTML.values(), ids=BAD_HTML.keys())
def test_checker_flags_unsafe_html(bad):
    assert html_problems(bad)


def test_checker_accepts_allowed_html():
    good = (
        '<h2 id="h-café">Café</h2><p><a href="/nl/page#h-x" title="t" rel="noopener">a</a>'
        '<a href="https://x.org">b</a><a href="mailto:a@b.c">c</a><a href="#h-x">d</a>'
        '<img src="/media/a.png" alt="a"><img src="https://x.org/a.png" alt="b"></p>'
        '<div class="admonition warning"><p class="admonition-title">Let op</p></div>'
        '<ol start="3"><li><code>x</code></li></ol>'
    )
    assert html_problems(good) == []


def test_module_allow_list_is_the_reviewed_one():
    added_by_nh3 = {"a": {"rel"}}
    assert set(ALLOWED_TAGS) == EXPECTED_TAGS
    assert {
        tag: names | added_by_nh3.get(tag, set()) for tag, names in ALLOWED_ATTRIBUTES.items()
    } == EXPECTED_ATTRIBUTES


# -- the XSS corpus ---------------------------------------------------------------------


def test_corpus_is_large_and_has_no_shadowed_ids():
    groups = [
        value
        for name, value in vars(xss_corpus).items()
        if name.isupper() and isinstance(value, dict) and value is not PAYLOADS
    ]
    assert sum(len(group) for group in groups) == len(PAYLOADS)
    assert len(PAYLOADS) >= 60


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_payload_renders_safely(payload):
    once = render_markdown(payload)
    assert isinstance(once, Markup)
    assert html_problems(once) == []
    # Feeding the output back in (an editor pasting rendered HTML) must stay safe too.
    twice = render_markdown(str(once))
    assert html_problems(twice) == []


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_payload_in_title_is_text(payload):
    assert "<" not in render_inline(payload)


FUZZ_TOKENS = [
    *["<", ">", '"', "'", "=", "/", ":", "!", "#", "[", "]", "(", ")", "*", "`", "&", ";"],
    *["-", "_", " ", "\n", "\n\n", "\n    ", "\t", "\0", "a", "é", "1", "{{", "}}"],
    *["javascript:", "JaVa\tScRiPt:", "data:", "&#106;", "&#x3A;", "&colon;", "onerror=", "src="],
    *["<img ", "<svg", "<script>", "<style>", "<!--", "-->", "[x](", "![x](", "]: ", "```"],
    *["!!! note ", '"title"', "| a |\n|---|\n", "> ", "1. ", "- ", "alert(1)", "https://x.org"],
]


def _fuzz_documents(count: int, seed: int = 20240601) -> list[str]:
    """Seeded random mixes of Markdown and HTML syntax (deterministic, no cache files)."""
    chooser = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    return ["".join(chooser.choices(FUZZ_TOKENS, k=chooser.randint(1, 60))) for _ in range(count)]


def test_random_token_soup_renders_safely():
    results = {
        document: html_problems(render_markdown(document)) for document in _fuzz_documents(500)
    }
    assert {document: problems for document, problems in results.items() if problems} == {}


# -- features editors use ---------------------------------------------------------------


def test_table():
    rendered = render_markdown("| Dag | Uren |\n|-----|-----:|\n| ma | 8 |\n")
    assert "<table>" in rendered
    assert "<th>Dag</th>" in rendered
    assert "<td>8</td>" in rendered
    assert "style" not in rendered  # column alignment needs style: dropped


def test_fenced_code_is_escaped_code():
    rendered = render_markdown("```python\nif a < b:\n    print('<b>')\n```")
    assert "<pre><code>if a &lt; b:\n    print('&lt;b&gt;')\n</code></pre>" in rendered


def test_headings_get_prefixed_ids():
    rendered = render_markdown("# Inleiding\n\n## Twee woorden\n\n## Twee woorden")
    assert '<h2 id="h-inleiding">Inleiding</h2>' in rendered
    assert '<h3 id="h-twee-woorden">' in rendered
    assert '<h3 id="h-twee-woorden_1">' in rendered


@pytest.mark.parametrize(
    ("heading", "expected_id"),
    [
        ("# Café privé", "h-café-privé"),
        ("# Cafe\u0301 decomposed", "h-café-decomposed"),  # NFD input, NFC id
        ("# Ëén, twee & drie!", "h-ëén-twee-drie"),
        ("# Straße", "h-straße"),
        ("# constructor", "h-constructor"),
        ("# \\_\\_proto\\_\\_", "h-__proto__"),
        ("# main", "h-main"),
        ("# ?!", "h-section"),
    ],
)
def test_heading_id(heading, expected_id):
    assert f'id="{expected_id}"' in render_markdown(heading)


def test_admonition():
    rendered = render_markdown('!!! warning "Let op"\n    Bel **niet** na 21 uur.')
    assert '<div class="admonition warning">' in rendered
    assert '<p class="admonition-title">Let op</p>' in rendered
    assert "<p>Bel <strong>niet</strong> na 21 uur.</p>" in rendered


def test_admonition_unknown_type_keeps_only_the_base_class():
    rendered = render_markdown("!!! waarschuwing\n    Tekst.")
    assert '<div class="admonition">' in rendered
    assert '<p class="admonition-title">Waarschuwing</p>' in rendered


@pytest.mark.parametrize(
    "url", ["/nl/pagina", "#h-inleiding", "../andere", "https://example.org/a?b=1&c=2"]
)
def test_links_keep_relative_and_https_urls(url):
    rendered = render_markdown(f'[tekst]({url} "Titel")')
    assert f'href="{html.escape(url)}"' in rendered
    assert 'title="Titel"' in rendered
    assert 'rel="noopener noreferrer"' in rendered


def test_mailto_and_http_links_are_kept():
    rendered = render_markdown("[mail](mailto:info@example.org) <http://example.org>")
    assert 'href="mailto:info@example.org"' in rendered
    assert 'href="http://example.org"' in rendered


@pytest.mark.parametrize("src", ["/media/2024/kaart.png", "https://cdn.example.org/a.png"])
def test_images_keep_site_relative_and_https_urls(src):
    rendered = render_markdown(f'![Kaart van Gent]({src} "Gent")')
    assert f'<img alt="Kaart van Gent" src="{src}" title="Gent">' in rendered


def test_images_drop_plain_http_urls():
    assert "src" not in render_markdown("![x](http://example.org/a.png)")


def test_list_start_number_is_kept():
    assert '<ol start="3">' in render_markdown("3. drie\n4. vier")


def test_raw_html_is_shown_as_text():
    rendered = render_markdown("Een <b>vette</b> tekst &copy;")
    assert "<p>Een &lt;b&gt;vette&lt;/b&gt; tekst ©</p>" in rendered


def test_template_syntax_renders_literally():
    rendered = render_markdown("{{ 7*7 }} {% if 1 %}x{% endif %}")
    page = jinja2.Environment(autoescape=True).from_string("{{ body }}").render(body=rendered)
    assert "{{ 7*7 }} {% if 1 %}x{% endif %}" in page
    assert "49" not in page


def test_realistic_page_uses_every_feature():
    rendered = render_markdown(REALISTIC_PAGE)
    for fragment in ["<table>", "<pre><code>", '<div class="admonition tip">', "<img ", "<ol>"]:
        assert fragment in rendered
    assert html_problems(rendered) == []
    assert 1400 <= len(plain_text(REALISTIC_PAGE).split()) <= 1700


def test_renders_are_independent_across_threads():
    # Every text is new, so each render runs (no cache hit) on its thread's converter.
    def document(worker: int, n: int) -> str:
        return f"# Kop {worker} {n}\n\n[ref]\n\n[ref]: /nl/{worker}/{n}\n"

    def expected(worker: int, n: int) -> str:
        return (
            f'<h2 id="h-kop-{worker}-{n}">Kop {worker} {n}</h2>\n'
            f'<p><a href="/nl/{worker}/{n}" rel="noopener noreferrer">ref</a></p>'
        )

    mismatches: list[tuple[int, int]] = []

    def render_all(worker: int) -> None:
        for n in range(200):
            if render_markdown(document(worker, n)) != expected(worker, n):
                mismatches.append((worker, n))

    threads = [threading.Thread(target=render_all, args=(worker,)) for worker in range(4)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, so shared state would show
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert mismatches == []


def test_markup_argument_is_read_as_text():
    assert render_markdown(Markup("a & b")) == render_markdown("a & b") == "<p>a &amp; b</p>"


def test_short_bodies_are_cached_and_long_ones_are_not():
    short, long = "woord " * 99 + "woord", "woord " * 9_999 + "woord"
    assert render_markdown(short) is render_markdown(short)
    assert render_markdown(long) is not render_markdown(long)
    assert render_markdown(long) == f"<p>{long}</p>"


def test_references_do_not_leak_between_renders():
    render_markdown("[a]: /stale\n\n# Kop")
    assert "/stale" not in render_markdown("[a]")
    assert 'id="h-kop"' in render_markdown("# Kop")


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("/nl/pagina", None),
        ("#h-kop", None),
        ("pad/met:dubbelepunt", None),
        ("?q=a:b", None),
        ("https://example.org", "https"),
        ("MailTo:a@b.c", "mailto"),
        ("&#106;ava&#x09;script:alert(1)", "javascript"),
        (" \x01JAVA\nSCRIPT:alert(1)", "javascript"),
        ("&amp;#106;avascript:alert(1)", "javascript"),
    ],
)
def test_url_scheme(url, scheme):
    assert url_scheme(url) == scheme


# -- titles and plain text --------------------------------------------------------------


def test_render_inline_escapes_everything():
    assert render_inline('**Vet** <i>en</i> "zo" & {{ x }}') == (
        "**Vet** &lt;i&gt;en&lt;/i&gt; &#34;zo&#34; &amp; {{ x }}"
    )


def test_plain_text():
    text = plain_text(
        '# Kop\n\n!!! note "Let op"\n    Tekst met [link](/nl) &amp; <b>.\n\n'
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nx < y\n```"
    )
    assert text == "Kop Let op Tekst met link & <b>. a b 1 2 x < y"


# -- a realistic page (also what docs/markdown.md's render time was measured on) --------

_SECTION = """\
## {n}. Contactonderzoek stap {n}

Deze stap beschrijft hoe een **medewerker** van het callcenter een index en haar contacten
belt. Lees eerst de [algemene richtlijnen](/nl/richtlijnen) en de
[veelgestelde vragen](https://www.example.org/faq "FAQ") voordat je begint. Een gesprek duurt
gemiddeld twintig minuten; noteer altijd de datum van de eerste symptomen en het
telefoonnummer waarop de persoon later bereikbaar is. Vraag *rustig* door wanneer iemand
twijfelt, en herhaal de belangrijkste afspraken aan het einde van het gesprek.

### Voorbereiding

1. Open het dossier in de werkruimte en controleer de taal van de persoon.
2. Lees de notities van eerdere gesprekken en het laatste testresultaat.
3. Zet je headset op en kies een rustige plek zonder omgevingsgeluid.
4. Houd het script van stap {n} en de lijst met doorverwijzingen bij de hand.

- Werk nooit met persoonsgegevens op papier.
- Sluit het dossier wanneer je je werkplek verlaat, ook voor een korte pauze.

!!! tip "Tip voor stap {n}"
    Spreek de persoon aan met de naam uit het dossier en stel jezelf kort voor. Leg uit
    waarom je belt en hoe lang het gesprek ongeveer duurt.

| Situatie | Actie | Termijn |
|----------|-------|---------|
| Positief getest | Index bellen | binnen 24 uur |
| Nauw contact | Contact bellen en quarantaine uitleggen | binnen 48 uur |
| Geen gehoor | Opnieuw bellen, daarna sms sturen | na 2 uur |

Het resultaat van het gesprek registreer je met de opdracht hieronder, of via het formulier
in de werkruimte wanneer de opdrachtregel niet beschikbaar is:

```bash
tracing-app calls close --case {n} --outcome reached --note "Gesprek afgerond"
```

![Schema van stap {n}](/media/schemas/stap-{n}.png "Schema")

Na het gesprek stuur je de samenvatting per e-mail naar <teamleider@example.org>. Bij twijfel
over privacy neem je contact op met de functionaris gegevensbescherming; zie ook
[het privacybeleid](/nl/privacy#h-bewaartermijnen). Noteer nooit medische details die niet
nodig zijn voor het onderzoek, en bewaar niets buiten de werkruimte.
"""

_INTRODUCTION = """\
# Handleiding contactonderzoek

Deze handleiding is bedoeld voor nieuwe medewerkers van het callcenter. Ze volgt de vijf
stappen van een onderzoek, van de voorbereiding tot het afsluiten van het dossier, en
verwijst waar nodig naar de richtlijnen van de gezondheidsdienst.

"""

REALISTIC_PAGE = _INTRODUCTION + "\n".join(_SECTION.format(n=n) for n in range(1, 6))
