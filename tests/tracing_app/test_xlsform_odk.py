"""XLSForms from the ODK world (ODK Collect, KoboToolbox, CommCare) read as they are.

pyxform is the oracle: for every form of ``xlsform_corpus/`` its question tree and ours
agree, or ours reports by sheet, row and column what a call script does not support.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask_babel import force_locale

from content.extensions import db
from tracing_app import create_app
from tracing_app.scripts import xlsform
from tracing_app.scripts.xlsform import format_problem

from .xlsform_oracle import our_tree, pyxform_tree, workbook_like

CORPUS = Path(__file__).parent / "xlsform_corpus"
FORMS = sorted(path.stem for path in CORPUS.glob("*.csv"))

#: Forms read with notes: (sheet, row, column) of each note.
NOTES = {
    "metadata": [("survey", row, "type") for row in (7, 8, 9, 10, 11)],
    "no_settings_sheet": [("settings", None, "version")],
    "settings_without_version": [("settings", 7, "version")],
    "or_other": [("survey", 3, "type")],
    "repeat_count": [("survey", 2, "repeat_count")],
}
#: Forms refused: (sheet, row, column, start of the message) of each problem.
REFUSED = {
    "refused_device_types": [
        ("survey", 4, "type", "Type geopoint asks for a photo, a sound, a location"),
        ("survey", 5, "type", "Type image asks for a photo"),
        ("survey", 6, "type", "Type barcode asks for a photo"),
    ],
    "refused_pulldata": [
        ("survey", 4, "calculation", "Function 'pulldata' is not supported in call scripts"),
    ],
    "refused_select_from_file": [
        ("survey", 3, "type", "Type select_one_from_file municipalities.csv reads choices"),
    ],
    "refused_runaway_regex": [
        ("survey", 3, "constraint", "Regular expression repeats a group that contains"),
    ],
}


@pytest.fixture(scope="module", autouse=True)
def english():
    """An app context in English: problems are translated messages."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context(), force_locale("en"):
        yield
    with app.app_context():
        db.engine.dispose()


def test_corpus_covers_what_real_forms_use():
    assert len(FORMS) >= 30
    text = "\n".join(path.read_text(encoding="utf-8") for path in CORPUS.glob("*.csv"))
    for construct in (
        "begin group", "begin_group", "begin repeat", "choice_filter", "or_other",
        "label:English (en)", "label::English (en)", "label::en", "label::Nederlands,",
        "calculation", "constraint", "required", "relevant", "default", "appearance",
        "settings", "indexed-repeat", "position(..)",
    ):  # fmt: skip
        assert construct in text, construct


@pytest.mark.parametrize("name", FORMS)
def test_pyxform_and_we_read_the_same_form(name):
    path = CORPUS / f"{name}.csv"
    definition, problems = xlsform.read(path)
    errors = [problem for problem in problems if not problem.is_note]
    notes = [(p.sheet, p.row, p.column) for p in problems if p.is_note]
    assert notes == NOTES.get(name, []), [format_problem(p) for p in problems]
    if name in REFUSED:
        found = [(p.sheet, p.row, p.column, p.message) for p in errors]
        assert len(found) == len(REFUSED[name]), found
        for (sheet, row, column, message), expected in zip(found, REFUSED[name], strict=True):
            assert (sheet, row, column) == expected[:3]
            assert message.startswith(expected[3]), message
        pyxform_tree(path, "en")  # and pyxform reads it: a valid XLSForm we refuse
        return
    assert errors == [], [format_problem(p) for p in errors]
    language = definition.settings.default_language
    assert our_tree(definition) == pyxform_tree(path, language)


@pytest.mark.parametrize("name", FORMS)
def test_workbook_reads_like_csv(name):
    path = CORPUS / f"{name}.csv"
    assert xlsform.read(workbook_like(path), f"{name}.xlsx") == xlsform.read(path)


@pytest.mark.parametrize("name", sorted(set(FORMS) - set(REFUSED)))
def test_export_is_lossless_and_read_by_pyxform(name, tmp_path):
    definition = xlsform.load(CORPUS / f"{name}.csv")
    exported = tmp_path / f"{name}.csv"
    exported.write_bytes(xlsform.dump_csv(definition))
    again, problems = xlsform.read(exported)
    assert again == definition
    assert [p for p in problems if not p.is_note] == []
    workbook = tmp_path / f"{name}.xlsx"
    workbook.write_bytes(xlsform.dump_xlsx(definition))
    from_workbook = xlsform.load(workbook)
    assert from_workbook == definition
    # What we write is an XLSForm pyxform reads to the same tree (or_other now written out).
    language = definition.settings.default_language
    assert pyxform_tree(workbook, language) == our_tree(from_workbook)


def test_corpus_report():
    """The figures of the report: accepted as is, accepted with notes, refused."""
    accepted = [name for name in FORMS if name not in NOTES and name not in REFUSED]
    assert (len(FORMS), len(accepted), len(NOTES), len(REFUSED)) == (35, 26, 5, 4)
