"""The seed call scripts: valid, complete in four languages, and right for real calls.

Each scenario plays part of a call through the engine, on a day in spring 2020, and
checks what the agent sees: the sections and questions shown, the errors, and the
sentences (notes) to say.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest

from tracing_app.scripts import xlsform
from tracing_app.scripts.definition import CALCULATE, NOTE, SITE_LANGUAGES, ScriptDefinition
from tracing_app.scripts.engine import FormState, evaluate_form

pytestmark = pytest.mark.usefixtures("app")

SCRIPTS = Path(__file__).resolve().parents[2] / "tracing_app" / "seed" / "scripts"
FORM_IDS = ["outbound_case", "outbound_contact", "inbound_callback"]
SECTIONS = {
    "outbound_case": [
        "introduction",
        "identification",
        "symptoms",
        "isolation",
        "contacts",
        "closing",
    ],
    "outbound_contact": [
        "introduction",
        "identification",
        "exposure",
        "symptoms",
        "quarantine",
        "certificate",
        "closing",
    ],
    "inbound_callback": [
        "introduction",
        "identification",
        "quarantine_question",
        "test_result",
        "certificate_request",
        "new_contact",
        "other_question",
        "call_notes_section",
        "escalation",
        "closing",
    ],
}
REASON_SECTIONS = {
    "quarantine": "quarantine_question",
    "test_result": "test_result",
    "certificate": "certificate_request",
    "new_contact": "new_contact",
    "other": "other_question",
}
TODAY = datetime.date(2020, 5, 20)
SNAKE_CASE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")

#: A valid identity: the national register number belongs to the date of birth.
IDENTITY = {
    "full_name": "An Peeters",
    "national_number": "85.07.30-033.28",
    "birth_date": "1985-07-30",
    "phone": "0470 12 34 56",
    "email": "an.peeters@example.be",
    "postcode": "9000",
    "preferred_language": "nl",
}


def load(form_id: str) -> ScriptDefinition:
    return xlsform.load(SCRIPTS / f"{form_id}.csv")


def evaluate(form_id: str, answers: dict[str, str], language: str = "nl") -> FormState:
    return evaluate_form(load(form_id), answers, language=language, today=TODAY)


def shown(state: FormState) -> set[str]:
    return {key for key, visible in state.visible.items() if visible}


# --- The files ----------------------------------------------------------------------------


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_script_has_no_problems(form_id):
    assert xlsform.check_file(SCRIPTS / f"{form_id}.csv") == []


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_settings(form_id):
    settings = load(form_id).settings
    assert settings.form_id == form_id
    assert settings.version == "1"
    assert settings.default_language == "nl"
    assert set(settings.title) == set(SITE_LANGUAGES)


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_sections(form_id):
    definition = load(form_id)
    assert [question.name for question in definition.questions] == SECTIONS[form_id]
    assert all(section.label for section in definition.sections())


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_every_text_is_in_the_four_languages(form_id):
    definition = load(form_id)
    assert definition.languages == SITE_LANGUAGES
    for question in definition.walk():
        if question.type != CALCULATE:
            assert set(question.label) == set(SITE_LANGUAGES), question.name
        for column, texts in question.texts().items():
            if texts:
                assert set(texts) == set(SITE_LANGUAGES), (question.name, column)
    for choice_list in definition.choices.values():
        for choice in choice_list.choices:
            assert set(choice.label) == set(SITE_LANGUAGES), (choice_list.name, choice.name)


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_names_are_snake_case(form_id):
    definition = load(form_id)
    names = [question.name for question in definition.walk()]
    assert len(names) == len(set(names))
    assert all(SNAKE_CASE.fullmatch(name) for name in names), names
    for choice_list in definition.choices.values():
        assert SNAKE_CASE.fullmatch(choice_list.name)
        assert all(SNAKE_CASE.fullmatch(choice.name) for choice in choice_list.choices)


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_placeholders_only_in_notes(form_id):
    """The engine fills ``${name}`` in notes only; other labels and hints show it raw."""
    for question in load(form_id).walk():
        if question.type == NOTE:
            continue
        for column, texts in question.texts().items():
            assert not any("${" in text for text in texts.values()), (question.name, column)


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_csv_round_trip(form_id):
    definition = load(form_id)
    assert xlsform.load(xlsform.dump_csv(definition), f"{form_id}.csv") == definition


# --- Outbound calls: consent ------------------------------------------------------------


@pytest.mark.parametrize("form_id", ["outbound_case", "outbound_contact"])
def test_no_consent_hides_everything_after_the_introduction(form_id):
    state = evaluate(form_id, {"called_name": "An Peeters", "consent": "no"})
    assert state.errors.keys() == {"refusal_reason"}

    answers = {"called_name": "An Peeters", "consent": "no", "refusal_reason": "refused"}
    state = evaluate(form_id, answers, language="fr")
    sections = [s.name for s in load(form_id).sections() if state.visible[s.name]]
    assert sections == ["introduction"]
    assert not state.visible["full_name"]
    assert state.errors == {}
    assert state.notes["no_consent_close"].startswith("Je comprends.")
    assert "no_consent_callback" not in state.notes
    assert state.notes["intro_greeting"].startswith(
        "Bonjour, suis-je bien en communication avec An Peeters ?"
    )


@pytest.mark.parametrize("form_id", ["outbound_case", "outbound_contact"])
def test_call_back_later_needs_a_time_in_the_future(form_id):
    answers = {
        "called_name": "An Peeters",
        "consent": "no",
        "refusal_reason": "later",
        "callback_at": "2020-05-20T09:30",
    }
    state = evaluate(form_id, answers, language="de")
    assert state.errors == {"callback_at": "Wählen Sie einen Zeitpunkt in der Zukunft."}
    state = evaluate(form_id, {**answers, "callback_at": "2020-05-21T17:00"}, language="de")
    assert state.errors == {}
    assert state.notes["no_consent_callback"].startswith("Kein Problem")
    assert "no_consent_close" not in state.notes


# --- Outbound call to an index case -----------------------------------------------------

CASE = {"called_name": "An Peeters", "consent": "yes", **IDENTITY, "test_date": "2020-05-18"}


def test_case_fever_shows_the_temperature():
    answers = {**CASE, "has_symptoms": "yes", "onset_date": "2020-05-16", "symptom_kinds": "cough"}
    state = evaluate("outbound_case", answers)
    assert not state.visible["temperature"]

    answers["symptom_kinds"] = "cough fever"
    assert evaluate("outbound_case", answers).visible["temperature"]
    state = evaluate("outbound_case", {**answers, "temperature": "44"})
    assert state.errors["temperature"] == "Geef een temperatuur tussen 35 en 43 °C."
    state = evaluate("outbound_case", {**answers, "temperature": "38.5"})
    assert "temperature" not in state.errors


def test_case_onset_date_in_the_future_is_refused_in_french():
    answers = {**CASE, "has_symptoms": "yes", "onset_date": "2020-05-25", "symptom_kinds": "cough"}
    state = evaluate("outbound_case", answers, language="fr")
    assert state.errors["onset_date"] == (
        "La date des premiers symptômes ne peut pas être dans le futur."
    )


def test_case_shortness_of_breath_gives_the_emergency_advice():
    answers = {**CASE, "has_symptoms": "yes", "symptom_kinds": "shortness_of_breath other"}
    state = evaluate("outbound_case", answers, language="en")
    assert "112" in state.notes["breathing_warning"]
    assert state.visible["other_symptoms"]


@pytest.mark.parametrize(
    ("symptoms", "isolation_end", "contacts_from", "rule_note"),
    [
        (
            {"has_symptoms": "yes", "onset_date": "2020-05-16"},
            "2020-05-26",
            "2020-05-14",
            "isolation_fever_rule",
        ),
        ({"has_symptoms": "no"}, "2020-05-28", "2020-05-16", "isolation_no_symptoms"),
    ],
)
def test_case_isolation_counts_from_onset_or_test(
    symptoms, isolation_end, contacts_from, rule_note
):
    state = evaluate("outbound_case", {**CASE, **symptoms})
    assert state.values["isolation_end"] == isolation_end
    assert state.notes["isolation_explain"].startswith(
        f"U moet in isolatie blijven tot en met {isolation_end}."
    )
    assert rule_note in state.notes
    assert f"vanaf {contacts_from} tot vandaag" in state.notes["contacts_intro"]


def test_case_living_situation_follow_up():
    state = evaluate("outbound_case", {**CASE, "living_situation": "alone"})
    assert not state.visible["household_size"]
    assert not state.visible["separate_room"]

    answers = {**CASE, "living_situation": "household", "separate_room": "no"}
    state = evaluate("outbound_case", answers)
    assert state.visible["household_size"]
    assert "household_size" in state.errors
    assert "separate_room_advice" in state.notes
    assert "household_advice" in state.notes

    state = evaluate("outbound_case", {**CASE, "living_situation": "collective"}, language="de")
    assert state.notes["collective_advice"].startswith("Informieren Sie die Leitung")


def test_case_high_risk_contact_shows_the_details_group():
    answers = {
        **CASE,
        "has_symptoms": "yes",
        "onset_date": "2020-05-16",
        "has_contacts": "yes",
        "contact_list": "2",
        "contact_list.0.contact_name": "Piet Peeters",
        "contact_list.0.contact_relation": "household",
        "contact_list.0.contact_last_date": "2020-05-19",
        "contact_list.0.contact_exposure": "household",
        "contact_list.1.contact_name": "Els Janssens",
        "contact_list.1.contact_relation": "colleague",
        "contact_list.1.contact_last_date": "2020-05-10",
        "contact_list.1.contact_exposure": "short",
    }
    state = evaluate("outbound_case", answers, language="de")
    assert state.values["contact_list.0.contact_risk"] == "high"
    assert state.values["contact_list.1.contact_risk"] == "low"
    assert state.visible["contact_list.0.contact_details"]
    assert state.visible["contact_list.0.contact_phone"]
    assert not state.visible["contact_list.1.contact_details"]
    assert not state.visible["contact_list.1.contact_phone"]
    assert state.notes["contact_list.0.contact_high_note"].startswith(
        "Dies ist ein Hochrisikokontakt."
    )
    assert state.notes["contact_list.1.contact_low_note"].startswith(
        "Dies ist ein Niedrigrisikokontakt."
    )
    assert state.errors["contact_list.0.contact_phone"].startswith(
        "Für einen Hochrisikokontakt wird eine Telefonnummer benötigt"
    )
    # The colleague was last seen before the infectious period (from 2020-05-14).
    assert state.errors["contact_list.1.contact_last_date"] == (
        "Das Datum muss zwischen dem Beginn des ansteckenden Zeitraums und heute liegen."
    )

    answers["contact_list.0.contact_phone"] = "0471 23 45 67"
    answers["contact_list.1.contact_last_date"] = "2020-05-15"
    state = evaluate("outbound_case", answers, language="de")
    assert not any(key.startswith("contact_list.") for key in state.errors)
    assert state.normalized["contact_list.0.contact_phone"] == "+32471234567"


def test_case_complete_call():
    answers = {
        **CASE,
        "has_symptoms": "yes",
        "onset_date": "2020-05-16",
        "symptom_kinds": "fever cough",
        "temperature": "38.6",
        "gp_informed": "yes",
        "living_situation": "alone",
        "needs_support": "no",
        "has_contacts": "no",
        "has_questions": "no",
        "call_completed": "OK",
    }
    state = evaluate("outbound_case", answers)
    assert state.errors == {}
    assert state.complete
    assert state.notes["closing_summary"].startswith(
        "Ik vat even samen, An Peeters: u blijft in isolatie tot en met 2020-05-26."
    )
    assert state.notes["closing_email"] == (
        "U ontvangt dit advies ook per e-mail op an.peeters@example.be."
    )
    assert "contacts_none" in state.notes
    assert not state.visible["contact_list"]
    assert state.normalized["national_number"] == "85073003328"
    assert state.normalized["phone"] == "+32470123456"


# --- Outbound call to a high-risk contact -----------------------------------------------

CONTACT = {"called_name": "An Peeters", "consent": "yes", **IDENTITY}


def test_contact_quarantine_and_test_advice_with_symptoms():
    answers = {
        **CONTACT,
        "last_contact_date": "2020-05-15",
        "exposure_context": "work",
        "has_symptoms": "yes",
        "has_gp": "no",
    }
    state = evaluate("outbound_contact", answers, language="fr")
    assert state.values["quarantine_end"] == "2020-05-29"
    assert "jusqu'au 2020-05-29 inclus" in state.notes["quarantine_explain"]
    assert state.notes["test_advice_symptoms"].startswith("Comme vous avez des symptômes")
    assert "test_prescription_note" in state.notes
    assert "test_advice_no_symptoms" not in state.notes
    assert "quarantine_household" not in state.notes
    assert not state.visible["can_separate"]


def test_contact_without_symptoms_gets_no_test():
    answers = {**CONTACT, "last_contact_date": "2020-05-15", "has_symptoms": "no"}
    state = evaluate("outbound_contact", answers)
    assert not state.visible["has_gp"]
    assert not state.visible["onset_date"]
    assert "test_advice_no_symptoms" in state.notes
    assert "test_advice_symptoms" not in state.notes


def test_contact_household_that_cannot_separate():
    answers = {
        **CONTACT,
        "last_contact_date": "2020-05-20",
        "exposure_context": "household",
        "can_separate": "no",
    }
    state = evaluate("outbound_contact", answers, language="en")
    assert state.notes["quarantine_household"].startswith("Because you cannot keep apart at home")
    assert "up to and including 2020-06-03" in state.notes["quarantine_explain"]


def test_contact_longer_than_14_days_ago_needs_no_quarantine():
    state = evaluate("outbound_contact", {**CONTACT, "last_contact_date": "2020-05-01"})
    assert "contact_too_long_ago" in state.notes
    assert "quarantine_explain" not in state.notes
    assert "closing_summary" not in state.notes

    state = evaluate("outbound_contact", {**CONTACT, "last_contact_date": "2020-05-06"})
    assert "contact_too_long_ago" not in state.notes
    assert "2020-05-20" in state.notes["quarantine_explain"]


def test_contact_certificate_by_email_needs_an_email_address():
    answers = {
        **CONTACT,
        "email": "",
        "needs_certificate": "employer",
        "can_telework": "no",
        "certificate_delivery": "email",
    }
    state = evaluate("outbound_contact", answers, language="de")
    assert state.errors["certificate_delivery"].startswith(
        "Bei der Identifizierung wurde keine E-Mail-Adresse angegeben."
    )
    assert "zeitweilige Arbeitslosigkeit" in state.notes["telework_note"]
    assert "certificate_by_email" not in state.notes

    state = evaluate("outbound_contact", {**answers, "email": "an@example.be"}, language="de")
    assert "certificate_delivery" not in state.errors
    assert state.notes["certificate_by_email"].endswith("an an@example.be.")

    state = evaluate("outbound_contact", {**answers, "certificate_delivery": "post"})
    assert "postal_address" in state.errors
    assert "certificate_by_post" in state.notes

    state = evaluate("outbound_contact", {**answers, "needs_certificate": "no"})
    assert not state.visible["certificate_delivery"]
    assert not state.visible["can_telework"]


def test_contact_complete_call():
    answers = {
        **CONTACT,
        "last_contact_date": "2020-05-17",
        "exposure_context": "other",
        "exposure_other": "Verjaardagsfeest bij vrienden",
        "works_in_care": "no",
        "has_symptoms": "no",
        "needs_certificate": "school",
        "certificate_delivery": "email",
        "call_completed": "OK",
    }
    state = evaluate("outbound_contact", answers)
    assert state.errors == {}
    assert state.notes["closing_summary"] == (
        "Ik vat even samen, An Peeters: u blijft in quarantaine tot en met 2020-05-31"
        " en u let goed op symptomen."
    )


# --- Inbound call or callback -----------------------------------------------------------

INBOUND = {"call_direction": "inbound", "caller_role": "self", **IDENTITY}


@pytest.mark.parametrize("reason", sorted(REASON_SECTIONS))
def test_inbound_shows_only_the_section_of_the_reason(reason):
    state = evaluate("inbound_callback", {**INBOUND, "call_reason": reason})
    branches = {section for section in REASON_SECTIONS.values() if state.visible[section]}
    assert branches == {REASON_SECTIONS[reason]}
    for section in ("introduction", "identification", "call_notes_section", "escalation"):
        assert state.visible[section]


def test_inbound_without_a_reason_shows_no_branch():
    state = evaluate("inbound_callback", {"call_direction": "callback"}, language="en")
    assert not any(state.visible[section] for section in REASON_SECTIONS.values())
    assert "call_reason" in state.errors
    assert state.notes["greeting_callback"].endswith("Is this a good time for you?")
    assert "greeting_inbound" not in state.notes


def test_inbound_caller_for_someone_else():
    state = evaluate("inbound_callback", {**INBOUND, "caller_role": "other_person"})
    assert state.visible["caller_name"]
    assert {"caller_name", "caller_relation"} <= state.errors.keys()
    assert not evaluate("inbound_callback", INBOUND).visible["caller_name"]


@pytest.mark.parametrize(
    ("measure", "reference", "end", "note"),
    [
        ("quarantine", "2020-05-10", "2020-05-24", "quarantine_end_note"),
        ("isolation", "2020-05-12", "2020-05-22", "isolation_end_note"),
    ],
)
def test_inbound_quarantine_duration(measure, reference, end, note):
    answers = {
        **INBOUND,
        "call_reason": "quarantine",
        "measure": measure,
        "quarantine_topic": "duration",
        "reference_date": reference,
    }
    state = evaluate("inbound_callback", answers)
    assert state.values["period_end"] == end
    assert f"tot en met {end}" in state.notes[note]

    state = evaluate("inbound_callback", {**answers, "measure": "unknown"})
    assert not state.visible["reference_date"]
    assert "measure_unknown_note" in state.notes


@pytest.mark.parametrize(
    ("test_date", "note", "other"),
    [
        ("2020-05-19", "pending_note", "pending_late_note"),
        ("2020-05-14", "pending_late_note", "pending_note"),
    ],
)
def test_inbound_pending_test_result(test_date, note, other):
    answers = {
        **INBOUND,
        "call_reason": "test_result",
        "test_date": test_date,
        "test_status": "pending",
    }
    state = evaluate("inbound_callback", answers)
    assert note in state.notes
    assert other not in state.notes


def test_inbound_certificate_dates():
    answers = {
        **INBOUND,
        "call_reason": "certificate",
        "certificate_issue": "request",
        "certificate_start": "2020-05-15",
        "certificate_end": "2020-05-10",
        "certificate_email": "an.peeters@example.be",
    }
    state = evaluate("inbound_callback", answers, language="fr")
    assert (
        state.errors["certificate_end"] == "Le dernier jour ne peut pas précéder le premier jour."
    )
    assert not state.visible["certificate_correction"]
    state = evaluate("inbound_callback", {**answers, "certificate_end": "2020-05-29"})
    assert "certificate_end" not in state.errors
    assert "certificate_note" in state.notes


def test_inbound_new_contacts_need_a_phone_only_when_high_risk():
    answers = {
        **INBOUND,
        "call_reason": "new_contact",
        "is_confirmed_case": "yes",
        "new_contacts": "2",
        "new_contacts.0.new_contact_name": "Piet Peeters",
        "new_contacts.0.new_contact_relation": "friend",
        "new_contacts.0.new_contact_last_date": "2020-05-18",
        "new_contacts.0.new_contact_exposure": "vehicle",
        "new_contacts.1.new_contact_name": "Els Janssens",
        "new_contacts.1.new_contact_relation": "other",
        "new_contacts.1.new_contact_last_date": "2020-05-18",
        "new_contacts.1.new_contact_exposure": "short",
    }
    state = evaluate("inbound_callback", answers)
    contact_errors = {key for key in state.errors if key.startswith("new_contacts.")}
    assert contact_errors == {"new_contacts.0.new_contact_phone"}
    assert "new_contacts.0.new_contact_high_note" in state.notes
    assert "new_contacts.1.new_contact_low_note" in state.notes

    state = evaluate("inbound_callback", {**answers, "is_confirmed_case": "no"})
    assert not state.visible["new_contacts"]
    assert "not_a_case_note" in state.notes


def test_inbound_escalation_needs_a_reason():
    answers = {**INBOUND, "call_reason": "other", "other_question_text": "Vraag over reizen"}
    state = evaluate("inbound_callback", {**answers, "escalate": "no"})
    assert not state.visible["escalation_reason"]
    assert "escalation_note" not in state.notes

    answers.update(escalate="yes", escalation_reason="severe", other_answered="no")
    state = evaluate("inbound_callback", answers, language="en")
    assert (
        state.errors["escalation_details"] == "The specialist needs to know why you are escalating."
    )
    assert "112" in state.notes["severe_note"]
    assert "escalation_note" in state.notes
    assert "other_escalate_note" in state.notes


def test_inbound_complete_call_summary_names_the_reason():
    answers = {
        **INBOUND,
        "call_reason": "certificate",
        "certificate_issue": "not_received",
        "certificate_email": "an.peeters@example.be",
        "escalate": "no",
        "call_completed": "OK",
    }
    state = evaluate("inbound_callback", answers, language="fr")
    assert state.errors == {}
    assert state.notes["closing_summary"] == (
        "Je résume, An Peeters. Votre appel concernait : Certificat de quarantaine."
    )
