"""Markup kept with holes: marks, splitting and filling (escaped)."""

from __future__ import annotations

from markupsafe import Markup, escape

from content import holes


def test_filled_holes_are_what_the_values_render_to_escaped_but_markup():
    marks = holes.Marks()
    values = {"name": "<b>&'", "html": Markup("<i>kept</i>"), "count": 3, "rows": []}
    values["rows"] = [{"note": "a<b"}, {"note": ""}]
    template = "{name}|{html}|{count}|{rows[0][note]}|{rows[1][note]}|{name}"
    pieces = marks.split(template.format(**marks.like(values)))
    assert len(pieces) == 13  # six holes, the name's twice
    assert marks.mark not in "".join(pieces[::2])
    expected = template.format(
        **{name: escape(value) for name, value in values.items() if name != "rows"},
        rows=[{"note": escape(row["note"])} for row in values["rows"]],
    )
    assert holes.fill(pieces, holes.flat(values)) == expected
    assert "&lt;b&gt;&amp;&#39;" in expected
    assert "<i>kept</i>" in expected


def test_each_process_draws_its_own_mark():
    assert holes.Marks().mark != holes.Marks().mark
