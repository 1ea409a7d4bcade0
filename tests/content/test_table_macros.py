"""The shared table macros: a table or its empty sentence, and one-button post forms."""

from __future__ import annotations

from flask import render_template_string

PAGE = """{% from "_macros/tables.html" import data_table, post_button %}
{% call data_table(rows, "Nothing yet.", caption="Things") %}<tbody>{% for row in rows %}
<tr><td>{{ row }}</td><td>{{ post_button("/delete/" ~ row, "Delete", subject=row) }}</td></tr>
{% endfor %}</tbody>{% endcall %}"""


def test_a_table_with_rows_has_its_caption_and_a_delete_form_with_csrf(app):
    with app.test_request_context("/en/"):
        html = render_template_string(PAGE, rows=["a.pdf"])
    assert '<caption class="visually-hidden">Things</caption>' in html
    assert '<form method="post" action="/delete/a.pdf" class="inline">' in html
    assert 'name="csrf_token" value="' in html
    assert '<span class="visually-hidden"> a.pdf</span>' in html
    assert "Nothing yet." not in html


def test_no_rows_shows_the_sentence_and_no_table(app):
    with app.test_request_context("/en/"):
        html = render_template_string(PAGE, rows=[])
    assert "<p>Nothing yet.</p>" in html
    assert "<table" not in html
