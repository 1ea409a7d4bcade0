"""End-to-end: a new French agent earns the certificate that opens the call workspace.

On a site of its own with everything ``tracing-app init --demo`` installs (the demo
curriculum: "Contact tracing: the basics" and the four modules chained after it, in four
languages, the basics exam, the certification granting the "workspace" gate, which
requires the whole chain, and the practice scenarios: the demo certification needs two
practice calls passed), a new agent whose language is French:

1. opens "Calls" and is refused, on a page naming the training, with a link to it;
2. follows the link, enrols and reads the five lessons, marking each as done;
2b. does the practice calls on the real call script: the first one fails (wrong outcome)
    with feedback in French, the retry and a second scenario pass;
3. takes the exam and fails it (every answer wrong), then passes it (every answer right);
   "Calls" is still refused: the rest of the chain is not done yet;
4. follows the chain from "Training": each module enrolled in, its three lessons read and
   its test passed, in the order of the prerequisites;
5. downloads the certificate (a PDF in French naming her) and opens the public
   verification page, which says it is valid (also to a visitor who is not signed in);
6. opens "Calls" again: the workspace lets her in;
7. looks up a practice citizen's phone in the real ticket lookup: no ticket.

The site is its own (module scope), not the session's ``live_server``: a certification
granting the workspace gate would close the workspace to the other end-to-end tests.
Interface strings come from the compiled catalogs; the training's texts and the answers
come from the data files of ``lms/seed/training`` (the answer key is read on the server,
as a person who studied would know it). Screenshots: test-output/e2e/lms/.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask_migrate import upgrade
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.serving import make_server

from content.extensions import db
from content.pdf import extract_text
from content.plugins import hook
from content.users import operations as users
from lms.quizzes.attempts import operations as quizzes
from lms.quizzes.attempts.models import IN_PROGRESS, Attempt
from lms.seed.answers import right_response, wrong_response
from lms.seed.training import TrainingModule, curriculum, load
from tests.e2e.conftest import (
    REPOSITORY_ROOT,
    TIMEOUT_MS,
    Account,
    LiveServer,
    QuietRequestHandler,
    catalog,
    sign_in,
)
from tests.e2e.test_login_flow import blocking_violations, describe
from tests.fixtures.settings import TEST_CONFIG
from tracing_app import create_app

pytestmark = pytest.mark.e2e

#: A new agent: no training done yet, French.
NEW_AGENT = Account("noemie.nouvelle@example.org", "Noémie Nouvelle", "fr", ("agent",))
SCREENSHOTS = REPOSITORY_ROOT / "test-output" / "e2e" / "lms"
TRAINING = load()
FRENCH = TRAINING.texts["fr"]
CERTIFICATION = TRAINING.certification["titles"]["fr"]


@pytest.fixture(scope="module")
def lms_site(tmp_path_factory) -> Iterator[LiveServer]:
    """A live site with the demo data of ``init --demo`` and ``NEW_AGENT``."""
    instance = tmp_path_factory.mktemp("e2e-lms")
    app = create_app(
        {
            **TEST_CONFIG,
            "INSTANCE_PATH": str(instance),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'lms.db'}",
        }
    )
    with app.app_context():
        upgrade(revision="heads")
        # The keys of ``init``: practice answers are encrypted like real ones.
        for _lines in hook(app).tracing_init(app=app):
            pass
        installed = [line for lines in hook(app).tracing_demo_data(app=app) for line in lines]
        assert any("certification contact-tracing-basics" in line for line in installed)
        users.create_user(
            NEW_AGENT.email,
            NEW_AGENT.password,
            display_name=NEW_AGENT.display_name,
            roles=NEW_AGENT.roles,
            locale=NEW_AGENT.locale,
        )
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="e2e-lms-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, origin=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def agent_page(browser, lms_site):
    """A fresh browser context on the LMS site (downloads accepted), and its page."""
    context = browser.new_context(base_url=lms_site.origin, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


#: Serious and critical axe violations, by step: none is expected (checked at the end).
AXE_FINDINGS: dict[str, list[dict]] = {}


def shoot(page, step: str) -> Path:
    """Keep a full-page screenshot of a step under test-output/e2e/lms/; run axe on it."""
    violations = blocking_violations(page)
    if violations:
        AXE_FINDINGS[step] = violations
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"new-french-agent-{step}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def open_calls(page):
    """Click "Calls" in the main menu, as an agent would; return the page's HTTP response."""
    fr = catalog("fr").gettext
    menu = page.get_by_role("navigation", name=fr("Main menu"), exact=True)
    with page.expect_response(lambda r: r.url.endswith("/fr/workspace/forms/")) as answer:
        menu.get_by_role("link", name=fr("Calls"), exact=True).click()
    return answer.value


def answer_attempt(page, lms_site, *, right: bool, training: TrainingModule = TRAINING) -> None:
    """Answer every question of the open attempt, all right or all wrong, through the form."""
    with lms_site.app.app_context():
        user = users.get_user(NEW_AGENT.email)
        attempt = db.session.scalar(
            select(Attempt).where(Attempt.user_id == user.id, Attempt.state == IN_PROGRESS)
        )
        asked = {row.slot: quizzes.question_of(row) for row in attempt.questions}
    assert len(asked) == training.exam_settings["draws"][training.category]
    french_texts = {question.text for question in training.texts["fr"].questions}
    for slot, question in sorted(asked.items()):
        assert question.text in french_texts  # the French exam, in French
        response = right_response(question) if right else wrong_response(question)
        box = page.locator(f"#question-{slot}")
        if question.kind in ("single_choice", "multiple_choice"):
            for value in [response] if isinstance(response, str) else response:
                box.locator(f'input[name="q{slot}"][value="{value}"]').check()
        elif question.kind == "true_false":
            box.locator(f'input[name="q{slot}"][value="{str(response).lower()}"]').check()
        elif question.kind == "matching":
            for prompt, target in response.items():
                box.locator(f'select[name="q{slot}-{prompt}"]').select_option(target)
        else:
            box.locator(f'input[name="q{slot}"]').fill(str(response))


def submit_attempt(page) -> None:
    """Finish the attempt, confirm, and land on its result."""
    fr = catalog("fr").gettext
    page.get_by_role("button", name=fr("Finish the attempt…"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(fr("Submit the attempt"))
    page.get_by_role("button", name=fr("Submit and finish"), exact=True).click()
    expect(page).to_have_url(re.compile(r".*/fr/quizzes/attempts/\d+/review$"))


def follow_module(page, lms_site, training: TrainingModule) -> None:
    """From "Training": enrol in a module of the chain, read its lessons, pass its test."""
    fr = catalog("fr").gettext
    texts = training.texts["fr"]
    menu = page.get_by_role("navigation", name=fr("Main menu"), exact=True)
    menu.get_by_role("link", name=fr("Training"), exact=True).click()
    page.locator("#main").get_by_role("link", name=texts.module.title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(texts.module.title)
    page.get_by_role("button", name=fr("Enrol in this module"), exact=True).click()
    page.get_by_role("link", name=fr("Start the first lesson"), exact=True).click()
    for lesson in texts.lessons:
        expect(page.get_by_role("heading", level=1)).to_have_text(lesson.title)
        page.get_by_role("button", name=fr("Mark as done and continue"), exact=True).click()
    # after the last lesson: the module's test, which must be passed to complete it
    expect(page.get_by_role("heading", level=1)).to_have_text(texts.exam.title)
    page.get_by_role("button", name=fr("Start the quiz"), exact=True).click()
    answer_attempt(page, lms_site, right=True, training=training)
    submit_attempt(page)
    expect(page.get_by_text(fr("You passed."))).to_be_visible()


def practice_call(page, scenario: str, *, consent_no_reason: str, outcome: str) -> None:
    """Answer a practice call of the demo scenarios (the citizen says no) and end it."""
    fr = catalog("fr").gettext
    menu = page.get_by_role("navigation", name=fr("Main menu"), exact=True)
    menu.get_by_role("link", name=fr("Practice calls"), exact=True).click()
    scenarios = page.get_by_role("region", name=fr("Scenarios"), exact=True)
    scenarios.get_by_role("link", name=scenario, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(scenario)
    expect(page.locator(".practice-banner")).to_be_visible()
    says = page.get_by_role("region", name=fr("The citizen says"))
    name = re.search(r"(?:Oui, c'est) ([^.]+)\.", says.inner_text())[1]
    page.locator("#f-called_name").fill(name)
    page.locator("#f-consent-no").check()
    # The page works without script: "Save and check" shows the questions that follow.
    page.get_by_role("button", name=fr("Save and check"), exact=True).click()
    page.locator(f"#f-refusal_reason-{consent_no_reason}").check()
    page.get_by_role("button", name=fr("Save and check"), exact=True).click()
    if consent_no_reason == "later":
        page.locator("#f-callback_at").fill("2099-01-04T10:00")
    page.locator(f'input[name="outcome"][value="{outcome}"]').check()
    page.get_by_role("button", name=fr("End the practice call"), exact=True).click()
    expect(page).to_have_url(re.compile(r".*/fr/practice/calls/\d+$"))


def test_new_french_agent_earns_the_certificate_that_opens_the_workspace(
    agent_page, lms_site, browser
):
    fr = catalog("fr").gettext
    page = agent_page
    sign_in(page, NEW_AGENT, "fr")
    expect(page).to_have_url(lms_site.url("/fr/dashboard"))

    # 1. The workspace is closed; the page names the training and links to it.
    refused = open_calls(page)
    assert refused.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text(fr("Not yet open to you"))
    reasons = page.locator(".gate-reasons")
    expect(reasons).to_contain_text(CERTIFICATION)
    shoot(page, "01-workspace-refused")
    reasons.get_by_role("link", name=fr("Go to the training"), exact=True).click()

    # 2. The module: enrol, then read the five lessons in order.
    expect(page.get_by_role("heading", level=1)).to_have_text(FRENCH.module.title)
    page.get_by_role("button", name=fr("Enrol in this module"), exact=True).click()
    expect(page.locator("#module-progress")).to_be_visible()
    shoot(page, "02-module-enrolled")
    page.get_by_role("link", name=fr("Start the first lesson"), exact=True).click()
    for number, lesson in enumerate(FRENCH.lessons, start=1):
        expect(page.get_by_role("heading", level=1)).to_have_text(lesson.title)
        if number == 3:
            expect(page.locator(".prose")).to_contain_text("numéro de registre national")
            shoot(page, "03-lesson")
        page.get_by_role("button", name=fr("Mark as done and continue"), exact=True).click()
    # Every lesson read: the module is not complete yet, it leads on to its exam.
    expect(page.get_by_role("heading", level=1)).to_have_text(FRENCH.exam.title)
    expect(page.get_by_text(fr("You completed this module."))).to_have_count(0)
    exam_url = page.url

    # 2b. Practice calls with fictitious citizens, on the real call script. The first one
    # ends with the wrong outcome: not passed, with the scenario's feedback in French.
    refuses = "Cas index qui refuse l'entretien"
    practice_call(page, refuses, consent_no_reason="refused", outcome="callback")
    expect(page.locator("#practice-verdict")).to_have_text(
        fr("Not passed: read the feedback and try this practice call again.")
    )
    expect(page.locator(".practice-feedback")).to_contain_text(
        "La personne refuse l'entretien : le résultat de l'appel est « refus »."
    )
    shoot(page, "03b-practice-failed")
    practice_call(page, refuses, consent_no_reason="refused", outcome="refused")
    expect(page.locator("#practice-verdict")).to_have_text(
        fr("Passed: this practice call went as it should.")
    )
    practice_call(
        page,
        "Contact à haut risque qui souhaite être rappelé plus tard",
        consent_no_reason="later",
        outcome="callback",
    )
    expect(page.locator("#practice-verdict")).to_have_text(
        fr("Passed: this practice call went as it should.")
    )
    shoot(page, "03c-practice-passed")
    assert open_calls(page).status == 403  # practice alone opens nothing: the exam is next
    page.goto(exam_url)

    # 3. The exam: a first attempt with every answer wrong fails…
    page.get_by_role("button", name=fr("Start the quiz"), exact=True).click()
    expect(page).to_have_url(re.compile(r".*/fr/quizzes/attempts/\d+$"))
    answer_attempt(page, lms_site, right=False)
    shoot(page, "04-exam-attempt")
    submit_attempt(page)
    expect(page.get_by_text(fr("You did not pass this time."))).to_be_visible()
    shoot(page, "05-exam-failed")
    page.get_by_role("link", name=fr("Back to the quiz"), exact=True).click()
    assert open_calls(page).status == 403  # still closed after a failed exam
    page.go_back()

    # …a second attempt with every answer right passes, and the certificate is issued.
    page.get_by_role("button", name=fr("Start a new attempt"), exact=True).click()
    answer_attempt(page, lms_site, right=True)
    submit_attempt(page)
    expect(page.get_by_text(fr("You passed."))).to_be_visible()
    shoot(page, "06-exam-passed")
    assert open_calls(page).status == 403  # the exam alone is not enough: the chain is not done
    expect(page.locator(".gate-reasons")).to_contain_text(CERTIFICATION)

    # 4. The rest of the chain, in the order of its prerequisites.
    for number, training in enumerate(curriculum()[1:], start=1):
        follow_module(page, lms_site, training)
        if number == 1:
            shoot(page, "06-chain-module-test-passed")

    # 5. The certificate: PDF in French, and the public verification page.
    menu = page.get_by_role("navigation", name=fr("Main menu"), exact=True)
    menu.get_by_role("link", name=fr("My certificates"), exact=True).click()
    certificate = page.get_by_role("region", name=CERTIFICATION)
    expect(certificate).to_contain_text(fr("Valid until"))
    shoot(page, "07-my-certificates")
    with page.expect_download() as download_info:
        certificate.get_by_role(
            "link", name=fr("Download the certificate (PDF)"), exact=True
        ).click()
    pdf = Path(download_info.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    text = extract_text(pdf)
    assert NEW_AGENT.display_name in text
    assert CERTIFICATION in text
    certificate.get_by_role("link", name=fr("Public verification page"), exact=True).click()
    expect(page).to_have_url(re.compile(r".*/fr/verify/[^/]+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(fr("Certificate verification"))
    expect(page.get_by_text(fr("This certificate is valid."))).to_be_visible()
    expect(page.locator(".verification")).to_contain_text(NEW_AGENT.display_name)
    shoot(page, "08-verification")
    verification_url = page.url
    assert verification_url.split("/verify/", 1)[1] in text  # the PDF's QR link, printed

    visitor = browser.new_context()  # nobody signed in: the page is public
    try:
        anonymous = visitor.new_page()
        anonymous.goto(verification_url)
        expect(anonymous.get_by_text(fr("This certificate is valid."))).to_be_visible()
    finally:
        visitor.close()

    # 6. The workspace opens.
    page.goto("/fr/dashboard")
    opened = open_calls(page)
    assert opened.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(fr("Calls"))
    shoot(page, "09-workspace-open")

    # 7. The citizens she practised with are fictitious: the real lookup does not know them.
    page.goto("/fr/tickets/lookup")
    page.locator('select[name="kind"]').select_option("phone")
    page.locator('input[name="value"]').fill("+32 470 00 02 02")  # Marie Exercice's
    page.locator('input[name="reason"]').fill("rappel entrant")
    page.locator('form.narrow [type="submit"]').click()
    expect(page.locator("#results-heading")).to_be_visible()
    expect(page.locator("main table tbody tr")).to_have_count(0)
    assert not AXE_FINDINGS, "\n".join(
        describe(found, step) for step, found in AXE_FINDINGS.items()
    )
