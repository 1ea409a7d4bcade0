"""Practice calls: scenarios, the practice screen, feedback, and the certification's need."""

from __future__ import annotations

import html
import re

import pytest
from babel.support import Translations
from sqlalchemy import select

from content import TRANSLATIONS_DIRECTORY
from content.extensions import db
from tests.fixtures.web import csrf_token, translated
from tracing_app.practice import operations
from tracing_app.practice.models import PracticeCall, PracticeScenario
from tracing_app.practice.scenarios import read_scenario_files
from tracing_app.scripts import operations as scripts
from tracing_app.scripts.models import Script
from tracing_app.seed.scripts import SCRIPTS, install_demo_scripts

pytestmark = pytest.mark.db

CALLBACK = "/fr/practice/contact-callback-later"
REFUSES = "/fr/practice/case-refuses"


@pytest.fixture
def practice(app):
    """The demo scripts and the practice scenarios, installed as ``init --demo`` does."""
    from tracing_app.practice.scenarios import install_scenarios

    install_demo_scripts()
    install_scenarios()
    db.session.commit()


def test_every_scenario_names_a_demo_script_and_its_questions_and_choices(app):
    scenarios = read_scenario_files()
    assert len(scenarios) == 3
    install_demo_scripts()
    for scenario in scenarios:
        assert (SCRIPTS / f"{scenario['script']}.csv").exists()
        script = db.session.scalar(select(Script).where(Script.form_id == scenario["script"]))
        definition = scripts.definition(scripts.current_version(script))
        questions = {question.name: question for question in definition.walk()}
        for key in scenario["key_answers"]:
            question = questions[key["name"]]  # a question of the script
            choices = {choice.name for choice in definition.choices[question.list_name].choices}
            assert key["value"] in choices, (scenario["code"], key["name"])


def _complete(client, url, answers: dict, outcome: str | None):
    data = {"csrf_token": csrf_token(client, url), "_action": "complete", **answers}
    if outcome:
        data["outcome"] = outcome
    return client.post(url, data=data)


def test_a_failed_then_passed_practice_call_with_feedback_in_french(client, auth, practice):
    agent = auth.login_as("agent", locale="fr")
    page = html.unescape(client.get(CALLBACK).get_data(as_text=True))
    assert translated("fr", "The citizen says") in page
    assert "Je suis au volant et je ne peux pas parler maintenant." in page  # the citizen
    assert 'name="consent"' in page  # the real script's form
    assert translated("fr", "Practice") in page  # the banner

    # Nothing answered: the script's own checks, beside the fields; what was typed stays.
    missing = _complete(client, CALLBACK, {"called_name": "Lucas Oefening"}, None)
    assert missing.status_code == 400
    text = missing.get_data(as_text=True)
    assert translated("fr", "Choose the outcome of the call.") in text
    assert 'id="consent-error" data-error-for="consent" aria-live="polite">' in text
    assert 'value="Lucas Oefening"' in text
    assert db.session.scalar(select(PracticeCall.id)) is None

    # A refusal instead of "call back later": recorded, not passed, with the feedback.
    wrong = _complete(
        client, CALLBACK,
        {"called_name": "Lucas Oefening", "consent": "no", "refusal_reason": "refused"},
        "refused",
    )  # fmt: skip
    assert wrong.status_code == 302
    result = html.unescape(client.get(wrong.location).get_data(as_text=True))
    assert translated("fr", "Not passed: read the feedback and try this practice call again.") in (
        result
    )
    assert "Ce n'est pas un refus : la personne veut être rappelée plus tard." in result

    right = _complete(
        client, CALLBACK,
        {"called_name": "Lucas Oefening", "consent": "no", "refusal_reason": "later",
         "callback_at": "2099-01-02T10:00"},
        "callback",
    )  # fmt: skip
    assert right.status_code == 302
    result = html.unescape(client.get(right.location).get_data(as_text=True))
    assert translated("fr", "Passed: this practice call went as it should.") in result
    scenario = db.session.scalar(
        select(PracticeScenario).where(PracticeScenario.code == "contact-callback-later")
    )
    assert operations.passed_scenario_ids(agent) == {scenario.id}
    calls = operations.user_calls(agent)
    assert [call.passed for call in calls] == [True, False]
    # The answers are stored encrypted, and read back.
    assert "Lucas" not in calls[0].answers_enc
    assert operations.call_answers(calls[0])["refusal_reason"] == "later"


def test_a_learner_sees_only_own_practice_calls(client, auth, practice, create_user):
    auth.login_as("agent", locale="fr")
    done = _complete(
        client, REFUSES,
        {"called_name": "Marie Exercice", "consent": "no", "refusal_reason": "refused"},
        "refused",
    )  # fmt: skip
    auth.logout()
    auth.login_as("agent", locale="fr", email="autre@example.org")
    assert client.get(done.location).status_code == 404


def test_trainers_see_results_per_learner_and_scenario(client, auth, practice):
    learner = auth.login_as("agent", locale="fr", display_name="Noa Learner")
    _complete(
        client, REFUSES,
        {"called_name": "Marie Exercice", "consent": "no", "refusal_reason": "refused"},
        "refused",
    )  # fmt: skip
    auth.logout()
    auth.login_as("trainer", locale="en")
    page = client.get("/en/practice/results").get_data(as_text=True)
    assert learner.display_name in page
    assert "Index case who refuses the call" in page
    row = re.search(r"<th scope=\"row\">Index case who refuses the call</th>(.*?)</tr>", page)
    assert row
    assert re.findall(r"<td>(\d+)</td>", row.group(1)) == ["1", "1", "1"]


def test_the_certificate_waits_for_the_practice_calls(
    app, client, auth, practice, create_certification, learning
):
    certification = create_certification()
    agent = auth.login_as("agent", locale="fr")
    learning.complete(agent)
    learning.grade(agent, 100)
    db.session.commit()
    assert operations.required_count() == 2
    assert not db.session.scalars(select(PracticeCall)).all()
    from lms.certification.operations import user_certificates

    assert user_certificates(agent) == []  # training and exam done, practice missing
    refused = client.get("/fr/workspace/forms/")
    assert refused.status_code == 403
    text = refused.get_data(as_text=True)
    assert 'href="/fr/practice/"' in text
    french = Translations.load(str(TRANSLATIONS_DIRECTORY), ["fr"])
    reason = french.ngettext(
        "Pass %(num)d practice call to receive the certificate (passed: %(passed)d).",
        "Pass %(num)d practice calls to receive the certificate (passed: %(passed)d).",
        2,
    ) % {"num": 2, "passed": 0}
    assert reason in html.unescape(text)

    _complete(
        client, REFUSES,
        {"called_name": "Marie Exercice", "consent": "no", "refusal_reason": "refused"},
        "refused",
    )  # fmt: skip
    assert client.get("/fr/workspace/forms/").status_code == 403  # one of two
    _complete(
        client, CALLBACK,
        {"called_name": "Lucas Oefening", "consent": "no", "refusal_reason": "later",
         "callback_at": "2099-01-02T10:00"},
        "callback",
    )  # fmt: skip
    assert [c.certification_id for c in user_certificates(agent)] == [certification.id]
    assert client.get("/fr/workspace/forms/").status_code == 200


def test_without_scenarios_no_practice_is_needed(app, create_certification, certify, create_user):
    certification = create_certification()
    agent = create_user(roles=["agent"])
    assert operations.required_count() == 0
    assert certify(agent, certification) is not None
