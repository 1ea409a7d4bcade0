"""The XSS corpus through every input route of the CMS, checked on every page that shows it.

test_rendering.py checks the renderer on its own; this checks the pages people see:
title, summary, body and address of an item, through the editor's form, on the item's
page, its folder, the history, the comparison, the translation screens, search and the
editor's preview.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser

import pytest

from content.extensions import db
from content.items import operations as items
from content.workflow.operations import transition
from tests.content.xss_corpus import PAYLOADS
from tests.fixtures.web import post_form

FORBIDDEN_TAGS = {"script", "svg", "math", "iframe", "object", "embed", "base", "style", "frame"}
SAFE_SCHEMES = {None, "http", "https", "mailto"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data"}


def _scheme(url: str) -> str | None:
    previous = None
    while url != previous:
        previous, url = url, html.unescape(url)
    url = "".join(ch for ch in url if ch > " " and ch != "\x7f").lower()
    head = url.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    return head.split(":", 1)[0] if ":" in head else None


class PageChecker(HTMLParser):
    """Collects whatever in a whole page could run script."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        if tag == "meta" and set(attributes) - {"charset", "name", "content"}:
            self.problems.append(f"meta {attributes}")
        if tag == "link" and not (attributes.get("href") or "").startswith("/static/"):
            self.problems.append(f"link {attributes}")
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "srcdoc"}:
                self.problems.append(f"<{tag} {name}=…>")
            if name in URL_ATTRIBUTES and _scheme(value or "") not in SAFE_SCHEMES:
                self.problems.append(f"<{tag} {name}={value!r}>")


def page_problems(text: str) -> list[str]:
    checker = PageChecker()
    checker.feed(text)
    checker.close()
    return checker.problems


def test_checker_finds_script_in_a_page():
    assert page_problems('<p onclick="x">a</p><a href="javascript:alert(1)">b</a><svg></svg>')


SAMPLE = PAYLOADS


@pytest.fixture
def editor_client(client, auth):
    auth.login_as("admin")
    return client


@pytest.mark.parametrize("payload", list(SAMPLE.values()), ids=list(SAMPLE))
def test_payload_in_every_field_stays_harmless(app, editor_client, roots, payload):
    response = post_form(
        editor_client,
        f"/en/cms/new/{roots['en'].id}",
        {"type": "page", "title": payload[:300], "slug": "xss", "description": payload[:1000],
         "body": payload, "preview": "1"},
    )  # fmt: skip
    pages = {"preview": response.get_data(as_text=True)}
    response = post_form(
        editor_client,
        f"/en/cms/new/{roots['en'].id}",
        {"type": "page", "title": payload[:300], "slug": "xss", "description": payload[:1000],
         "body": payload, "save": "1"},
    )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    page = items.item_by_path("en/xss")
    admin = page.owner
    items.save_revision(
        page, base_number=1, title="Safe", description="", body=payload + "\n\nmore", actor=admin
    )
    transition(page, "publish", actor=admin)
    db.session.commit()
    visitor = app.test_client()
    pages |= {
        "page (editor)": editor_client.get("/en/xss").get_data(as_text=True),
        "page (visitor)": visitor.get("/en/xss").get_data(as_text=True),
        "folder": visitor.get("/en/").get_data(as_text=True),
        "history": editor_client.get(f"/en/cms/items/{page.id}/history").get_data(as_text=True),
        "compare": editor_client.get(f"/en/cms/items/{page.id}/compare?a=1&b=2").get_data(
            as_text=True
        ),
        "translations": editor_client.get(f"/en/cms/items/{page.id}/translations").get_data(
            as_text=True
        ),
        "overview": editor_client.get("/en/cms/translations").get_data(as_text=True),
        "manage": editor_client.get("/en/cms/").get_data(as_text=True),
        "search": editor_client.get("/en/search?q=more").get_data(as_text=True),
    }
    problems = {name: found for name, text in pages.items() if (found := page_problems(text))}
    assert problems == {}


@pytest.mark.parametrize("payload", list(SAMPLE.values())[:20], ids=list(SAMPLE)[:20])
def test_payload_as_address_is_refused_or_harmless(editor_client, roots, payload):
    response = post_form(
        editor_client,
        f"/en/cms/new/{roots['en'].id}",
        {"type": "page", "title": "Title", "slug": payload[:120], "body": "", "save": "1"},
    )
    assert page_problems(response.get_data(as_text=True)) == []
