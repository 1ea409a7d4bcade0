"""The state of a filled form: relevance, calculations, checks, notes, repeats, choices."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from tracing_app.scripts import xlsform
from tracing_app.scripts.engine import evaluate_form, initial_answers

FIXTURE = Path(__file__).parent / "fixtures" / "contact_tracing.csv"
TODAY = datetime.date(2020, 4, 1)


@pytest.fixture
def definition(app):
    return xlsform.load(FIXTURE)


def _state(definition, language="en", **answers):
    return evaluate_form(definition, answers, language=language, today=TODAY)


def test_defaults_fill_a_new_form(definition):
    assert initial_answers(definition, today=TODAY) == {
        "has_symptoms": "no",
        "interview_date": "2020-04-01",
    }


def test_sections_appear_only_when_relevant(definition):
    assert _state(definition).visible["identification"] is False
    assert _state(definition, consent="OK").visible["identification"] is True


def test_hidden_answers_count_as_empty(definition):
    state = _state(definition, consent="", full_name="Jan")
    assert state.values["full_name"] == ""
    assert "full_name" not in state.errors  # a hidden question is never required


def test_required_and_constraint_messages_in_the_call_language(definition):
    state = _state(definition, language="fr", consent="OK", full_name="Jan", age="150")
    assert state.errors["age"] == "Indiquez un âge entre 0 et 120."
    assert state.errors["birth_date"]  # required, in the default message


def test_identifiers_are_checked_and_normalized(definition):
    state = _state(
        definition, consent="OK", national_number="85.07.30-033.28", phone="0470/12.34.56"
    )
    assert "national_number" not in state.errors
    assert state.normalized["phone"] == "+32470123456"
    wrong = _state(definition, consent="OK", national_number="85073003329")
    assert "national_number" in wrong.errors


def test_birth_date_in_the_future_is_refused(definition):
    state = _state(definition, consent="OK", birth_date="2030-01-01")
    assert "birth_date" in state.errors


def test_constraint_on_dates_uses_today(definition):
    state = _state(definition, consent="OK", has_symptoms="yes", onset_date="2020-05-01")
    assert state.errors["onset_date"] == "The date is in the future."
    assert (
        "onset_date"
        not in _state(definition, consent="OK", has_symptoms="yes", onset_date="2020-03-25").errors
    )


def test_select_multiple_drives_relevance(definition):
    state = _state(definition, consent="OK", has_symptoms="yes", symptom_kinds="cough fever")
    assert state.visible["temperature"] is True
    assert _state(definition, consent="OK", symptom_kinds="cough").visible["temperature"] is False


def test_calculation_and_notes_with_placeholders(definition):
    state = _state(definition, language="nl", consent="OK", full_name="An", has_symptoms="yes")
    assert state.values["status"] == "symptomatic"
    assert state.notes["greeting"] == "Dank u, An."


def test_choice_filter_reads_the_choices_own_columns(definition):
    options = _state(definition, province="liege").options["municipality"]
    assert options
    assert {choice.filters["province"] for choice in options} == {"liege"}


def test_repeats_have_instances_with_their_own_relevance(definition):
    state = _state(
        definition,
        contacts="2",
        **{"contacts.0.contact_risk": "high", "contacts.1.contact_risk": "low"},
    )
    assert state.visible["contacts.0.contact_details"] is True
    assert state.visible["contacts.1.contact_details"] is False
    assert "contacts.0.contact_name" in state.errors  # required in each instance


def test_wrong_types_get_clear_messages(definition):
    state = _state(definition, consent="OK", age="twelve", has_symptoms="maybe")
    assert state.errors["age"] == "Type a whole number."
    assert state.errors["has_symptoms"] == "Choose one of the options."


def test_cli_check_and_eval(runner, tmp_path):
    assert runner.invoke(args=["scripts", "check", str(FIXTURE)]).exit_code == 0
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"consent": "OK", "full_name": "Jan", "age": "150"}))
    options = ["--answers", str(answers), "--today", "2020-04-01", "--language", "en"]
    result = runner.invoke(args=["scripts", "eval", str(FIXTURE), *options])
    assert result.exit_code == 0, result.output
    output = json.loads(result.output)
    assert output["sections"]["identification"] is True
    assert output["errors"]["age"] == "Enter an age between 0 and 120."
    assert output["calculated"]["call_date"] == "2020-04-01"
    assert output["complete"] is False


def test_cli_check_reports_problems(runner):
    broken = sorted((FIXTURE.parent / "broken").glob("*.csv"))[0]
    result = runner.invoke(args=["scripts", "check", str(broken)])
    assert result.exit_code == 1
    assert "problem" in result.output


SMALL_FORM = """survey
,type,name,label::en,calculation,constraint,constraint_message::en,choice_filter
,calculate,c3,,${c2} + 1,,,
,calculate,c2,,${c1} + 1,,,
,calculate,c1,,1,,,
,decimal,temperature,Temperature,,. >= 35 and . <= 43,${name_of_patient} has a strange temperature,
,text,name_of_patient,Name,,,,
,select_one province,province,Province,,,,
,begin repeat,visits,Visits,,,,
,select_one town,town,Town,,,,province = ${province}
,end repeat,,,,,,
choices
,list_name,name,label::en,province
,province,liege,Liège,
,province,antwerpen,Antwerpen,
,town,eupen,Eupen,liege
,town,mechelen,Mechelen,antwerpen
settings
,form_id,version,default_language
,small,1,en
"""


@pytest.fixture
def small(app):
    return xlsform.load(SMALL_FORM.encode(), "small.csv")


def test_calculations_settle_whatever_their_order(small):
    assert _state(small).values["c3"] == "3"


def test_a_decimal_comma_is_a_decimal_point(small):
    state = _state(small, temperature="38,5")
    assert "temperature" not in state.errors
    assert state.values["temperature"] == "38.5"


def test_messages_fill_placeholders(small):
    state = _state(small, temperature="50", name_of_patient="Jan")
    assert state.errors["temperature"] == "Jan has a strange temperature"


def test_choice_filter_inside_a_repeat_accepts_its_own_options(small):
    state = _state(small, province="liege", visits="1", **{"visits.0.town": "eupen"})
    assert [c.name for c in state.options["visits.0.town"]] == ["eupen"]
    assert "visits.0.town" not in state.errors
