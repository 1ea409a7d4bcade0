"""One test per XLSForm construct that `tracing-app scripts check` used to refuse (#15)."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import openpyxl
import pytest
from flask_babel import force_locale

from content.extensions import db
from tracing_app import create_app
from tracing_app.scripts import xlsform
from tracing_app.scripts.engine import evaluate_form

TODAY = datetime.date(2024, 6, 3)
NOW = datetime.datetime(2024, 6, 3, 9, 30)


@pytest.fixture(scope="module", autouse=True)
def english():
    """An app context in English: problems are translated messages."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context(), force_locale("en"):
        yield
    with app.app_context():
        db.engine.dispose()


def read(text: str, name: str = "form.csv"):
    return xlsform.read(text.encode(), name)


def errors(problems):
    return [(p.sheet, p.row, p.column, p.message) for p in problems if not p.is_note]


def notes(problems):
    return [(p.sheet, p.row, p.column, p.message) for p in problems if p.is_note]


def state(definition, answers=None, **keywords):
    return evaluate_form(definition, answers or {}, language="en", today=TODAY, now=NOW, **keywords)


SETTINGS = "settings\n,form_id,version\n,odk,1\n"


# -- language columns ------------------------------------------------------------------


def test_single_colon_language_columns_as_pyxform_reads_them():
    definition, problems = read(
        "survey\n"
        ",type,name,label:English (en),label:French (fr),hint:french,jr:constraintMsg,constraint\n"
        ",integer,age,Age,Âge,En années,Too old,. < 130\n" + SETTINGS
    )
    assert errors(problems) == []
    age = definition.by_name("age")
    assert age.label == {"en": "Age", "fr": "Âge"}
    assert age.hint == {"fr": "En années"}
    assert age.constraint_message == {"en": "Too old"}  # jr: is a namespace, not a language
    assert definition.settings.default_language == "en"


def test_double_colon_anywhere_makes_single_colons_part_of_the_name():
    # As pyxform: once one header uses "::", a single colon separates nothing.
    definition, problems = read(
        "survey\n,type,name,label::English (en),hint:french\n,text,a,A,indice\n" + SETTINGS
    )
    assert errors(problems) == []
    assert definition.by_name("a").hint == {}


def test_language_names_in_english_for_languages_the_site_does_not_have():
    definition, problems = read(
        "survey\n,type,name,label::English (en),label::Swahili\n,text,a,A,Jina\n" + SETTINGS
    )
    assert errors(problems) == []
    assert definition.by_name("a").label == {"en": "A"}  # Swahili is dropped, not refused


# -- settings --------------------------------------------------------------------------


SURVEY = "survey\n,type,name,label\n,text,caller,Wie belt er?\n"


def test_form_without_settings_gets_a_version_made_from_its_content():
    definition, problems = read(SURVEY, "inbound.csv")
    assert errors(problems) == []
    [(sheet, row, column, message)] = notes(problems)
    assert (sheet, row, column) == ("settings", None, "version")
    version = definition.settings.version
    assert message == (
        f"The form has no version; it gets version {version}, made from its content."
    )
    assert definition.settings.form_id == "inbound"
    assert read(SURVEY, "inbound.csv")[0].settings.version == version  # repeatable
    changed = read(SURVEY.replace("Wie", "Wat"), "inbound.csv")[0]
    assert changed.settings.version != version
    assert xlsform.load(SURVEY.encode(), "inbound.csv") == definition  # notes do not block


def test_settings_without_version_get_one_too():
    definition, problems = read(SURVEY + "settings\n,form_id\n,inbound\n")
    assert errors(problems) == []
    assert notes(problems)[0][:3] == ("settings", 6, "version")
    assert definition.settings.version.startswith("content-")


def test_allow_choice_duplicates():
    survey = "survey\n,type,name,label\n,select_one answer,q,Q\n"
    choices = "choices\n,list_name,name,label\n,answer,2,Sometimes\n,answer,2,Often\n"
    definition, problems = read(
        survey + choices + "settings\n,version,allow_choice_duplicates\n,1,yes\n"
    )
    assert errors(problems) == []
    assert [c.label["nl"] for c in definition.choices["answer"].choices] == [
        "Sometimes",
        "Often",
    ]
    assert definition.settings.allow_choice_duplicates is True
    assert xlsform.load(xlsform.dump_csv(definition), "again.csv") == definition
    _definition, problems = read(survey + choices + "settings\n,version\n,1\n")
    assert errors(problems) == [
        ("choices", 7, "name", "The choice 2 is already in list answer on row 6.")
    ]


# -- choices sheet ---------------------------------------------------------------------


def test_choices_sheet_with_only_its_header():
    definition, problems = read(SURVEY + "choices\n,list_name,name,label\n" + SETTINGS)
    assert errors(problems) == []
    assert definition.choices == {}


def test_empty_choices_worksheet():
    workbook = openpyxl.Workbook()
    survey = workbook.active
    survey.title = "survey"
    for row in (["type", "name", "label"], ["text", "caller", "Wie belt er?"]):
        survey.append(row)
    workbook.create_sheet("choices")  # as ODK's template leaves it
    settings = workbook.create_sheet("settings")
    settings.append(["version"])
    settings.append(["1"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    definition, problems = xlsform.read(buffer.getvalue(), "form.xlsx")
    assert errors(problems) == []
    assert definition.choices == {}


# -- types -----------------------------------------------------------------------------


OR_OTHER = (
    "survey\n,type,name,label::English (en),label::Nederlands (nl)\n"
    ",select_one place or_other,place,Where?,Waar?\n"
    "choices\n,list_name,name,label::English (en),label::Nederlands (nl)\n"
    ",place,home,At home,Thuis\n" + SETTINGS
)


def test_select_one_or_other_adds_the_choice_and_the_question_as_pyxform_does():
    definition, problems = read(OR_OTHER)
    assert errors(problems) == []
    assert [note[:3] for note in notes(problems)] == [("survey", 3, "type")]
    assert [c.name for c in definition.choices["place"].choices] == ["home", "other"]
    other = definition.choices["place"].choices[-1]
    assert other.label == {"nl": "Andere", "en": "Other"}
    specify = definition.by_name("place_other")
    assert (specify.type, specify.relevant) == ("text", "selected(${place}, 'other')")
    assert specify.label == {"nl": "Specificeer andere.", "en": "Specify other."}
    assert state(definition, {"place": "home"}).visible["place_other"] is False
    assert state(definition, {"place": "other"}).visible["place_other"] is True
    # Written out, it reads back the same, without or_other.
    exported = xlsform.dump_csv(definition)
    assert b"or_other" not in exported
    assert xlsform.load(exported, "again.csv") == definition


def test_or_other_question_name_already_taken():
    text = OR_OTHER.replace(
        ",select_one place or_other,place,Where?,Waar?\n",
        ",text,place_other,Other place,Andere plaats\n"
        ",select_one place or_other,place,Where?,Waar?\n",
    )
    _definition, problems = read(text)
    assert errors(problems) == [
        ("survey", 4, "name", "The name place_other is already used on row 3.")
    ]


@pytest.mark.parametrize(
    ("written", "type_", "list_name", "appearance"),
    [
        ("select all that apply symptoms", "select_multiple", "symptoms", ""),
        ("select_multiple symptoms", "select_multiple", "symptoms", ""),
        ("select one symptoms", "select_one", "symptoms", ""),
        ("select1 symptoms", "select_one", "symptoms", ""),
        ("string", "text", "", ""),
        ("int", "integer", "", ""),
        ("dateTime", "datetime", "", ""),
        ("trigger", "acknowledge", "", ""),
        ("phone number", "text", "", "phone"),
        ("get start time", "start", "", ""),
        ("imei", "deviceid", "", ""),
    ],
)
def test_type_aliases(written, type_, list_name, appearance):
    definition, problems = read(
        f"survey\n,type,name,label\n,{written},q,Vraag\n"
        "choices\n,list_name,name,label\n,symptoms,fever,Koorts\n" + SETTINGS
    )
    assert errors(problems) == []
    question = definition.by_name("q")
    assert (question.type, question.list_name, question.appearance) == (
        type_,
        list_name,
        appearance,
    )


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("geopoint", "asks for a photo, a sound, a location, a barcode or a file"),
        ("image", "asks for a photo, a sound, a location, a barcode or a file"),
        ("select_one_from_file places.csv", "reads choices or data from a file"),
        ("select one from file places.csv", "reads choices or data from a file"),
        ("select_one_external places", "reads choices or data from a file"),
        ("range", "is not supported"),
    ],
)
def test_types_a_call_cannot_have_are_refused_by_row(written, reason):
    _definition, problems = read(f"survey\n,type,name,label\n,{written},q,Vraag\n" + SETTINGS)
    [(sheet, row, column, message)] = errors(problems)
    assert (sheet, row, column) == ("survey", 3, "type")
    assert message.startswith(f"Type {written} ")
    assert reason in message


METADATA = (
    "survey\n,type,name,label\n,start,call_start,\n,end,call_end,\n,today,call_date,\n"
    ",username,agent,\n,deviceid,device,\n,audit,audit,\n"
    ',note,intro,"Goedendag, u spreekt met ${agent}."\n' + SETTINGS
)


def test_metadata_become_values_the_platform_knows():
    definition, problems = read(METADATA)
    assert errors(problems) == []  # no label needed, nothing blocks
    assert [note[:3] for note in notes(problems)] == [("survey", 7, "type"), ("survey", 8, "type")]
    metadata = {"start": "2024-06-03T09:12:00", "username": "Agent Smith"}
    filled = state(definition, metadata=metadata)
    assert filled.values["call_start"] == "2024-06-03T09:12:00"
    assert filled.values["call_end"] == "2024-06-03T09:30:00"
    assert filled.values["call_date"] == "2024-06-03"
    assert filled.values["agent"] == "Agent Smith"
    assert (filled.values["device"], filled.values["audit"]) == ("", "")
    assert filled.notes["intro"] == "Goedendag, u spreekt met Agent Smith."
    assert filled.complete
    assert xlsform.load(xlsform.dump_csv(definition), "again.csv") == definition


def test_metadata_answers_cannot_be_forged():
    definition = xlsform.load(METADATA.encode(), "form.csv")
    filled = state(definition, {"agent": "Someone else"}, metadata={"username": "Agent Smith"})
    assert filled.values["agent"] == "Agent Smith"


# -- nested repeats --------------------------------------------------------------------


NESTED = (
    "survey\n,type,name,label,constraint,calculation\n"
    ",begin repeat,household,Huishouden,,\n"
    ",text,tag,Label,,\n"
    ",integer,limit,Minimumleeftijd,,\n"
    ",begin repeat,member,Lid van ${tag},,\n"
    ",integer,age,Leeftijd,. >= ${limit},\n"
    ",calculate,member_tag,,,${tag}\n"
    ",end repeat,,,,\n"
    ",end repeat,,,,\n" + SETTINGS
)


def test_inner_repeat_reads_the_fields_of_its_outer_instance():
    definition, problems = read(NESTED)
    assert errors(problems) == []
    answers = {
        "household": "2",
        "household.0.tag": "A",
        "household.0.limit": "18",
        "household.0.member": "1",
        "household.0.member.0.age": "20",
        "household.1.tag": "B",
        "household.1.limit": "65",
        "household.1.member": "2",
        "household.1.member.0.age": "70",
        "household.1.member.1.age": "40",
    }
    filled = state(definition, answers)
    assert filled.values["household.0.member.0.member_tag"] == "A"
    assert filled.values["household.1.member.1.member_tag"] == "B"
    assert filled.labels["household.1.member"] == "Lid van B"
    # The constraint compares with the limit of the member's own household only.
    assert filled.errors == {"household.1.member.1.age": "This answer is not allowed."}


def test_repeat_count_is_read_and_ignored_with_a_note():
    definition, problems = read(
        "survey\n,type,name,label,repeat_count\n,begin repeat,visit,Bezoek,3\n"
        ",date,visit_date,Datum,\n,end repeat,,,\n" + SETTINGS
    )
    assert errors(problems) == []
    assert notes(problems) == [
        (
            "survey",
            2,
            "repeat_count",
            "Column repeat_count is not used: the agent adds repeat instances as the call goes.",
        )
    ]
    assert definition.by_name("visit").children[0].name == "visit_date"


def test_cli_check_prints_notes_and_counts_only_errors(runner):
    corpus = Path(__file__).parent / "xlsform_corpus"
    result = runner.invoke(args=["scripts", "check", str(corpus / "no_settings_sheet.csv")])
    assert result.exit_code == 0, result.output
    assert "settings, column version: Note: The form has no version" in result.output
    assert "No problems found." in result.output
    result = runner.invoke(args=["scripts", "check", str(corpus / "refused_device_types.csv")])
    assert result.exit_code == 1
    assert "survey, row 4, column type: Type geopoint asks for a photo" in result.output
    assert "3 problem(s); the script cannot be used." in result.output
