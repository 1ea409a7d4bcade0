"""The LMS signals are documented, and editors can build modules out of lessons and quizzes."""

from __future__ import annotations

import re
from pathlib import Path

from lms import signals

DOCS = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"


def test_every_lms_signal_is_documented_with_a_docstring():
    body = DOCS.read_text().split("## LMS signals", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^### `([\w-]+)`", body, flags=re.MULTILINE))
    named = {
        value.name: value
        for value in vars(signals).values()
        if value.__class__.__name__ == "NamedSignal"
    }
    assert documented == set(named) == {"module-completed", "attempt-graded", "certificate-issued"}
    assert all(signal.__doc__ for signal in named.values())


def test_editor_can_add_lessons_and_quizzes_to_a_module_but_nothing_else(auth, client, create_page):
    module = create_page(type="module", title="Basics")
    auth.login_as("editor")
    page = client.get(f"/en/cms/new/{module.id}")
    assert page.status_code == 200
    options = set(re.findall(r'<option[^>]*value="(\w+)"', page.get_data(as_text=True)))
    assert options == {"lesson", "quiz"}


def test_module_page_lists_its_published_lessons(client, create_page):
    module = create_page(type="module", title="Basics")
    create_page(type="lesson", parent=module, title="Why we trace")
    create_page(type="lesson", parent=module, title="Secret draft", publish=False)
    html = client.get("/nl/basics").get_data(as_text=True)
    assert "Why we trace" in html
    assert "Secret draft" not in html
    assert f'href="/nl/learn/modules/{module.id}"' in html  # the way into the training
