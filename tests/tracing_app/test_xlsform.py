"""Reading call scripts from XLSForm files, checking them, and writing them back."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from flask_babel import force_locale

from content.extensions import db
from tracing_app import create_app
from tracing_app.scripts import xlsform
from tracing_app.scripts.checks import check_definition, format_problem
from tracing_app.scripts.definition import Question, ScriptDefinition, Settings
from tracing_app.scripts.xlsform import Problem, XLSFormError, check_file

from .xlsform_oracle import workbook_like

FIXTURES = Path(__file__).parent / "fixtures"
VALID = FIXTURES / "contact_tracing.csv"
FORMATS = ["csv", "xlsx"]


@pytest.fixture(scope="module", autouse=True)
def english():
    """An app context in English: problems are translated messages."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context(), force_locale("en"):
        yield
    with app.app_context():
        db.engine.dispose()


def read_as(file_format: str, path: Path) -> tuple[ScriptDefinition | None, list[Problem]]:
    if file_format == "csv":
        return xlsform.read(path)
    return xlsform.read(workbook_like(path), f"{path.stem}.xlsx")


@pytest.fixture(scope="module")
def form() -> ScriptDefinition:
    """The valid sample script, read from its CSV file."""
    return xlsform.load(VALID)


# -- the valid form -------------------------------------------------------------------


@pytest.mark.parametrize("file_format", FORMATS)
def test_valid_form_has_no_problems(file_format, form):
    definition, problems = read_as(file_format, VALID)
    assert problems == []
    assert definition == form


def test_settings_and_languages(form):
    assert form.settings == Settings(
        form_id="contact_tracing",
        version="2024-06-01",
        default_language="nl",
        title={
            "nl": "Belscript contactopsporing",
            "fr": "Script d'appel suivi des contacts",
            "de": "Gesprächsleitfaden Kontaktnachverfolgung",
            "en": "Contact tracing call script",
        },
    )
    assert form.languages == ("nl", "fr", "de", "en")


def test_question_tree(form):
    assert [section.name for section in form.sections()] == [
        "identification",
        "symptoms",
        "address",
        "contacts",
    ]
    contacts = form.by_name("contacts")
    assert contacts.type == "repeat"
    assert [child.name for child in contacts.children] == [
        "contact_name",
        "contact_risk",
        "contact_details",
    ]
    assert form.parents("contact_email") == (contacts, form.by_name("contact_details"))
    assert form.parents("intro") == ()
    names = [question.name for question in form.walk()]
    assert names[:5] == ["call_date", "intro", "consent", "identification", "full_name"]
    assert names[-2:] == ["status", "summary"]
    assert len(names) == len(set(names)) == 31
    with pytest.raises(KeyError):
        form.by_name("nobody")


def test_every_type(form):
    types = {question.type for question in form.walk()}
    assert types == {
        "note",
        "text",
        "integer",
        "decimal",
        "date",
        "time",
        "datetime",
        "select_one",
        "select_multiple",
        "acknowledge",
        "calculate",
        "group",
        "repeat",
    }


def test_question_columns(form):
    symptoms = form.by_name("symptoms")
    assert symptoms.relevant == "${consent} = 'OK'"
    assert symptoms.label["de"] == "Symptome"
    onset = form.by_name("onset_date")
    assert onset.required == "${has_symptoms} = 'yes'"
    assert onset.required_message == {"nl": "Geef de datum van de eerste symptomen."}
    assert onset.constraint == ". <= today()"
    assert set(onset.constraint_message) == {"nl", "fr", "de", "en"}
    assert form.by_name("has_symptoms").default == "no"
    assert not form.by_name("has_symptoms").default_is_expression
    interview = form.by_name("interview_date")
    assert interview.default == "today()"
    assert interview.default_is_expression
    assert interview.read_only is True
    assert form.by_name("full_name").required is True
    assert form.by_name("full_name").hint == {"nl": "Voornaam en familienaam"}
    assert form.by_name("age").required is False
    kinds = form.by_name("symptom_kinds")
    assert (kinds.type, kinds.list_name) == ("select_multiple", "symptom_list")
    municipality = form.by_name("municipality")
    assert municipality.choice_filter == "province = ${province}"
    assert form.by_name("status").calculation.startswith("if(")
    assert form.by_name("summary").label["en"] == "${full_name}: ${status}, called on ${call_date}."
    assert form.by_name("contact_details").label == {}
    assert form.by_name("full_name").row == 7


def test_identifier_types_and_appearances(form):
    kinds = {question.name: question.validation for question in form.walk()}
    assert kinds["national_number"] == "national_number"
    assert kinds["birth_date"] == "birth_date"
    assert kinds["email"] == "email"
    assert kinds["postcode"] == "postcode"
    assert kinds["onset_date"] == "date"
    assert kinds["full_name"] is None
    # The project type ``phone`` is a text question with the phone appearance.
    phone = form.by_name("contact_phone")
    assert (phone.type, phone.appearance, phone.validation) == ("text", "phone", "phone")


def test_choices(form):
    assert list(form.choices) == ["yes_no", "symptom_list", "province", "municipality", "risk"]
    eupen = form.choices["municipality"].choices[2]
    assert eupen.name == "eupen"
    assert eupen.label == {"nl": "Eupen", "fr": "Eupen", "de": "Eupen", "en": "Eupen"}
    assert eupen.filters == {"province": "liege"}
    assert form.choices["yes_no"].choices[0].filters == {}


def test_expressions_by_column(form):
    assert form.by_name("onset_date").expressions() == {
        "relevant": "${has_symptoms} = 'yes'",
        "constraint": ". <= today()",
        "required": "${has_symptoms} = 'yes'",
    }
    assert form.by_name("has_symptoms").expressions() == {}


# -- round trips ----------------------------------------------------------------------


def test_xlsx_round_trip(form):
    first = xlsform.dump_xlsx(form)
    again = xlsform.load(first, "script.xlsx")
    assert again == form
    assert xlsform.load(xlsform.dump_xlsx(again), "script.xlsx") == form


def test_csv_round_trip(form):
    first = xlsform.dump_csv(form)
    again = xlsform.load(first, "script.csv")
    assert again == form
    assert xlsform.dump_csv(again) == first


def test_xlsx_keeps_text_that_looks_like_a_formula(form):
    question = Question("note", "warning", label={"nl": "=niet rekenen"})
    settings = Settings("warning", "1", "nl")
    definition = ScriptDefinition(settings, (question,), {}, ("nl",))
    assert xlsform.load(xlsform.dump_xlsx(definition), "warning.xlsx") == definition


def test_dump_writes_xlsform_spelling(form):
    survey = xlsform.dump_csv(form).decode("utf-8-sig").splitlines()
    assert survey[0] == "survey"
    assert survey[1].startswith(",type,name,label::Nederlands (nl),label::Français (fr)")
    assert ",begin group,symptoms," in "\n".join(survey)
    assert ",end repeat," in "\n".join(survey)
    assert ",text,contact_phone," in "\n".join(survey)


# -- broken forms: each problem with its sheet, row and column ------------------------

BROKEN = {
    "unknown_type": [
        ("survey", 4, "type", "Type texte is not supported."),
        (
            "survey",
            5,
            "type",
            "Write select_one followed by the name of its choice list, as in select_one yes_no.",
        ),
    ],
    "duplicate_name": [
        ("survey", 5, "name", "The name full_name is already used on row 3."),
    ],
    "invalid_name": [
        (
            "survey",
            3,
            "name",
            "1st_contact is not a valid name. A name starts with a letter or an underscore"
            " and holds only letters, digits, underscores, hyphens and full stops.",
        ),
        (
            "survey",
            4,
            "name",
            "contact name is not a valid name. A name starts with a letter or an underscore"
            " and holds only letters, digits, underscores, hyphens and full stops.",
        ),
        ("survey", 5, "name", "This row has no name."),
    ],
    "unbalanced_groups": [
        ("survey", 3, "type", "This end group has no begin group before it."),
        ("survey", 6, "type", "This end repeat closes begin group identification of row 4."),
        ("survey", 7, "type", "begin repeat contacts has no end repeat."),
    ],
    "missing_choice_list": [
        ("survey", 4, "type", "The choice list symptom_list does not exist."),
    ],
    "broken_choices": [
        ("choices", 7, "name", "This choice of list risk has no name."),
        ("choices", 8, "name", "The choice high is already in list risk on row 6."),
        ("choices", 9, "list_name", "This choice has no list_name."),
        ("choices", 10, "name", "The choice name very low cannot contain spaces."),
        (
            "choices",
            11,
            "label",
            "The choice medium needs a label in Nederlands, the default language.",
        ),
    ],
    "broken_expressions": [
        ("survey", 3, "constraint", "Unexpected end of expression at position 10"),
        ("survey", 4, "relevant", "Expected ')' at position 11"),
        ("survey", 5, "calculation", "Unknown function 'counted' at position 0"),
        ("survey", 6, "required", "Unexpected end of expression at position 8"),
        ("survey", 7, "default", "Unexpected end of expression at position 6"),
        # The position is in the filter as written, choice column names and all.
        ("survey", 8, "choice_filter", "Expected a value, found '=' at position 11"),
    ],
    "missing_reference": [
        ("survey", 3, "relevant", "${consent} refers to a field that does not exist."),
        ("survey", 4, "label::fr", "${fullname} refers to a field that does not exist."),
    ],
    "missing_label": [
        ("survey", 3, "label", "intro needs a label in Nederlands, the default language."),
        (
            "survey",
            4,
            "label",
            "identification needs a label in Nederlands, the default language.",
        ),
        (
            "choices",
            12,
            "label",
            "The choice yes needs a label in Nederlands, the default language.",
        ),
    ],
    "missing_columns": [
        ("survey", 2, "name", "The survey sheet has no name column."),
    ],
    "missing_survey": [
        ("survey", None, None, "The file has no survey sheet."),
    ],
    "broken_appearance": [
        ("survey", 3, "appearance", "The appearance birth-date can only be used with type date."),
        (
            "survey",
            4,
            "appearance",
            "Use one identifier appearance per question, not phone, email.",
        ),
        ("survey", 5, "appearance", "The appearance postcode can only be used with type text."),
    ],
    "broken_language": [
        (
            "survey",
            2,
            "label::Klingon",
            "The language of column label::Klingon is not recognized: write it as"
            " Name (code), for example label::Nederlands (nl).",
        ),
        (
            "settings",
            6,
            "default_language",
            "Español (es) is not a language of this site (nl, fr, de, en).",
        ),
    ],
}


@pytest.mark.parametrize("file_format", FORMATS)
@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_form(name, file_format):
    path = FIXTURES / "broken" / f"{name}.csv"
    _definition, problems = read_as(file_format, path)
    assert [(p.sheet, p.row, p.column, p.message) for p in problems] == BROKEN[name]


def test_load_raises_with_every_problem():
    with pytest.raises(XLSFormError) as caught:
        xlsform.load(FIXTURES / "broken" / "broken_expressions.csv")
    assert len(caught.value.problems) == 6


def test_rows_left_out_still_count_as_fields():
    # ``first_name`` has an unknown type; a reference to it is not a second problem.
    source = b"survey\n,type,name,label,relevant\n,texte,first_name,Voornaam,\n"
    source += b",text,full_name,Naam,${first_name} != ''\nsettings\n,version\n,1\n"
    _definition, problems = xlsform.read(source, "form.csv")
    assert [problem.message for problem in problems] == ["Type texte is not supported."]


# -- file formats and columns ---------------------------------------------------------


def test_survey_only_csv_with_semicolons_in_windows_encoding():
    source = "type;name;label;hint\ntext;full_name;Naam;Voornaam én familienaam\n"
    definition, problems = xlsform.read(source.encode("cp1252"), "survey.csv")
    assert definition.by_name("full_name").hint == {"nl": "Voornaam én familienaam"}
    # A survey alone has no settings: it gets a version made from its content (a note).
    assert [(p.sheet, p.column, p.is_note) for p in problems] == [("settings", "version", True)]
    assert definition.settings.version.startswith("content-")
    assert definition.settings.form_id == "survey"


def test_xlsx_sheet_names_and_cells_as_excel_stores_them():
    workbook = openpyxl.Workbook()
    survey = workbook.active
    survey.title = "Survey"
    survey.append(["Type", "Name", "Label::English (en)", "Required", "Default"])
    survey.append(["select_one scale", "pain", "Pain", True, 3.0])
    choices = workbook.create_sheet(" Choices ")
    choices.append(["list name", "name", "label::English (en)"])
    choices.append(["scale", 3, "Moderate"])
    settings = workbook.create_sheet("settings")
    settings.append(["version", "form_id"])
    settings.append([20240601, "pain"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    definition = xlsform.load(buffer.getvalue(), "pain.xlsx")
    question = definition.questions[0]
    assert (question.name, question.required, question.default) == ("pain", True, "3")
    assert definition.choices["scale"].choices[0].name == "3"
    assert definition.settings.version == "20240601"
    assert definition.settings.default_language == "en"


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("label::Nederlands (nl)", "nl"),
        ("label::nl", "nl"),
        ("label::nl-BE", "nl"),
        ("label::French", "fr"),
        ("label::Deutsch", "de"),
        ("label::English (en)", "en"),
        ("label", "nl"),
    ],
)
def test_language_columns(header, language):
    source = f"survey\n,type,name,{header}\n,note,intro,Tekst\nsettings\n,version\n,1\n"
    definition = xlsform.load(source.encode(), "intro.csv")
    assert definition.questions[0].label == {language: "Tekst"}


def test_default_language_from_the_first_label_column():
    source = (
        "survey\n,type,name,label::Français (fr),label::Deutsch (de),label::Español (es)\n"
        ",note,intro,Bonjour,Guten Tag,Hola\nsettings\n,version\n,1\n"
    )
    definition = xlsform.load(source.encode(), "intro.csv")
    assert definition.settings.default_language == "fr"
    assert definition.languages == ("fr", "de")
    assert definition.questions[0].label == {"fr": "Bonjour", "de": "Guten Tag"}


def test_repeated_column():
    source = "survey\n,type,name,label,label::nl\n,note,intro,A,B\nsettings\n,version\n,1\n"
    _definition, problems = xlsform.read(source.encode(), "intro.csv")
    assert [(p.row, p.column, p.message) for p in problems] == [
        (2, "label::nl", "Column label::nl repeats column label.")
    ]


def test_unknown_csv_section():
    source = b"survey\n,type,name,label\n,note,intro,Dag\nsetings\n,version\n,1\n"
    _definition, problems = xlsform.read(source, "intro.csv")
    assert [(p.sheet, p.row, p.is_note) for p in problems] == [
        ("settings", None, True),
        ("setings", 4, False),
    ]
    assert problems[0].message.startswith("The form has no version; it gets version content-")
    assert problems[1].message == "Unknown sheet setings: use survey, choices or settings."


def test_unreadable_files():
    _definition, problems = xlsform.read(b"not a workbook", "form.xlsx")
    assert [p.message for p in problems] == [
        "This file cannot be read as an Excel workbook (.xlsx)."
    ]
    _definition, problems = xlsform.read(b"", "form.xls")
    assert [p.message for p in problems] == ["Only .xlsx and .csv files can be read, not .xls."]


def test_load_from_a_stream(form):
    assert xlsform.load(io.BytesIO(xlsform.dump_xlsx(form)), "form.xlsx") == form


# -- checks for the command line and the editor ---------------------------------------


def test_check_file(tmp_path):
    assert check_file(VALID) == []
    problems = check_file(FIXTURES / "broken" / "broken_expressions.csv")
    assert (
        format_problem(problems[1]) == "survey, row 4, column relevant: Expected ')' at position 11"
    )
    missing = check_file(tmp_path / "missing.csv")
    assert missing[0].message.startswith(f"{tmp_path / 'missing.csv'} cannot be read:")


def test_format_problem_without_row_or_column():
    assert format_problem(Problem("survey", None, None, "No survey.")) == "survey: No survey."
    assert format_problem(Problem("", None, None, "Unreadable.")) == "Unreadable."


def test_check_definition_of_an_edited_definition(form):
    note = Question("note", "outro", label={"nl": "Tot ziens ${nobody}"}, relevant="${age} >")
    edited = ScriptDefinition(form.settings, (*form.questions, note), form.choices, form.languages)
    assert [(p.column, p.message) for p in check_definition(edited)] == [
        ("relevant", "Unexpected end of expression at position 8"),
        ("label::nl", "${nobody} refers to a field that does not exist."),
    ]
