"""End-to-end: a French agent works through the outbound-case call script in Chromium.

The agent's screen is live: every change is autosaved (JSON) and the server answers with
what is visible, the errors and the sentences to say. The test follows an agent from the
Calls page through consent, a section that appears and disappears, a wrong national
register number, a reload mid-call and the browser's own copy of unsaved answers (a
dropped network, a page closed before the autosave fires). A second test fills the same
form without JavaScript. Interface strings come from the compiled catalogs; the script's
own texts come from the published demo script (``tracing_app/seed/scripts``).
"""

from __future__ import annotations

import datetime
import json
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from stdnum.be import nn

from content.extensions import db
from tests.e2e.conftest import FRENCH_AGENT, catalog, sign_in
from tests.e2e.test_login_flow import blocking_violations, describe
from tracing_app.scripts import operations
from tracing_app.scripts.models import FormResponse, Script

pytestmark = pytest.mark.e2e

FORM_ID = "outbound_case"
FORM_URL = re.compile(r".*/fr/workspace/forms/(\d+)$")


def national_number(birth: datetime.date, serial: int) -> str:
    """Return a valid national register number (11 digits) of someone born before 2000."""
    base = f"{birth:%y%m%d}{serial:03d}"
    number = f"{base}{97 - int(base) % 97:02d}"
    assert nn.is_valid(number)
    return number


BIRTH_DATE = datetime.date(1985, 3, 14)
VALID_NUMBER = national_number(BIRTH_DATE, 123)
#: Right birth date and serial, wrong check digits.
WRONG_NUMBER = VALID_NUMBER[:9] + f"{(int(VALID_NUMBER[9:]) + 1) % 97:02d}"

#: What the agent types, by question name (text, date and number fields).
TYPED = {
    "called_name": "Fanny Dupont",
    "full_name": "Fanny Dupont",
    "birth_date": BIRTH_DATE.isoformat(),
    "phone": "0470 12 34 56",
    "postcode": "1000",
    "test_date": (datetime.date.today() - datetime.timedelta(days=2)).isoformat(),
    "onset_date": (datetime.date.today() - datetime.timedelta(days=3)).isoformat(),
}
#: What the agent chooses, by question name (radio buttons and checkboxes).
CHOSEN = {"consent": "yes", "preferred_language": "fr", "has_symptoms": "yes"}


def script_definition(live_server):
    """The published definition of the outbound-case script on the live server."""
    with live_server.app.app_context():
        script = db.session.scalar(select(Script).where(Script.form_id == FORM_ID))
        return operations.definition(operations.current_version(script))


def saved_answers(live_server, response_id: int) -> dict[str, str]:
    """The answers of a form as the server holds them."""
    with live_server.app.app_context():
        return operations.answers(db.session.get(FormResponse, response_id))


def autosave_of(page, name: str, value: str):
    """Wait for the answer to an autosave that sent ``value`` as the answer to ``name``."""

    def matches(response) -> bool:
        if not response.url.endswith("/autosave") or response.request.method != "POST":
            return False
        return (response.request.post_data_json or {}).get("answers", {}).get(name) == value

    return page.expect_response(matches)


def is_form_post(response) -> bool:
    """Whether a response answers the form posted by one of its buttons (a navigation)."""
    return response.request.is_navigation_request() and response.request.method == "POST"


def kept_in_browser(page, response_id: int) -> dict[str, str] | None:
    """The answers script-form.js keeps in localStorage until the server has them."""
    kept = page.evaluate(f"localStorage.getItem('tracing-form-{response_id}')")
    return json.loads(kept)["answers"] if kept else None


def check_axe(page, found: dict[str, list[dict]], where: str) -> None:
    """Run axe on the page; keep its serious and critical violations under ``where``."""
    violations = blocking_violations(page)
    if violations:
        found[where] = violations


def start_call(page, live_server, title: str) -> int:
    """From the dashboard, open "Calls" and start the script; return the form's id."""
    fr = catalog("fr").gettext
    menu = page.get_by_role("navigation", name=fr("Main menu"), exact=True)
    menu.get_by_role("link", name=fr("Calls"), exact=True).click()
    expect(page).to_have_url(live_server.url("/fr/workspace/forms/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(fr("Calls"))
    page.get_by_role("button", name=title, exact=True).click()
    expect(page).to_have_url(FORM_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    return int(FORM_URL.match(page.url).group(1))


def test_french_agent_works_through_the_outbound_case_script(page, live_server, screenshot):
    fr = catalog("fr").gettext
    definition = script_definition(live_server)

    def label(name: str) -> str:
        return definition.by_name(name).label["fr"]

    def field(name: str):
        """The field of a question, named after the question's French label."""
        located = page.locator(f"#f-{name}")
        expect(located).to_have_accessible_name(label(name))
        return located

    saved, offline = (
        fr("All answers saved."),
        fr("Not saved yet: no connection. Your answers are kept in this browser."),
    )
    axe_findings: dict[str, list[dict]] = {}

    sign_in(page, FRENCH_AGENT, "fr")
    expect(page).to_have_url(live_server.url("/fr/dashboard"))
    response_id = start_call(page, live_server, definition.settings.title["fr"])
    form_url = page.url
    status = page.locator("#save-status")

    # 1. The introduction is shown; the rest of the script waits for consent.
    intro = page.get_by_role("region", name=label("introduction"), exact=True)
    expect(intro).to_be_visible()
    expect(page.locator("#q-identification")).to_be_hidden()
    expect(page.locator("#q-symptoms")).to_be_hidden()
    expect(page.locator("#q-refusal_reason")).to_be_hidden()
    field("called_name").fill(TYPED["called_name"])
    expect(page.locator("#note-intro_greeting")).to_contain_text(TYPED["called_name"])
    screenshot(page, "01-introduction")

    page.locator("#f-consent-no").check()  # no: the agent asks why, nothing else appears
    expect(page.locator("#q-refusal_reason")).to_be_visible()
    expect(page.locator("#q-identification")).to_be_hidden()
    page.locator("#f-consent-yes").check()
    expect(page.locator("#q-identification")).to_be_visible()  # no reload: autosave answered
    expect(page.locator("#q-refusal_reason")).to_be_hidden()
    expect(page.get_by_role("region", name=label("symptoms"), exact=True)).to_be_visible()
    expect(status).to_have_text(saved)
    screenshot(page, "02-consent-given")

    # 2. Identification: a wrong national register number, then the right one.
    for name in ("full_name", "birth_date", "phone", "postcode"):
        field(name).fill(TYPED[name])
    page.locator("#f-preferred_language-fr").check()
    number = field("national_number")
    error = page.locator("#national_number-error")
    expect(error).to_be_hidden()
    number.fill(WRONG_NUMBER)
    expect(error).to_be_visible()
    expect(error).to_have_text(fr("This is not a valid national register number."))
    expect(number).to_have_attribute("aria-invalid", "true")
    expect(number).to_have_accessible_description(  # the error first, then the hint
        re.compile("^" + re.escape(fr("This is not a valid national register number.")))
    )
    expect(page.locator("#full_name-error")).to_be_hidden()  # typed answers have no error
    screenshot(page, "03-wrong-national-number")
    check_axe(page, axe_findings, "the form with a wrong national register number")

    number.fill(VALID_NUMBER)
    expect(error).to_be_hidden()
    expect(number).not_to_have_attribute("aria-invalid", "true")
    screenshot(page, "04-valid-national-number")

    # 3. Symptoms: the temperature question follows the fever checkbox.
    page.locator("#f-has_symptoms-yes").check()
    expect(page.locator("#q-onset_date")).to_be_visible()
    expect(page.locator("#q-symptom_kinds")).to_be_visible()
    field("onset_date").fill(TYPED["onset_date"])
    field("test_date").fill(TYPED["test_date"])
    temperature = page.locator("#q-temperature")
    expect(temperature).to_be_hidden()
    page.locator("#f-symptom_kinds-cough").check()
    page.locator("#f-symptom_kinds-fever").check()
    expect(temperature).to_be_visible()
    expect(field("temperature")).to_be_editable()
    screenshot(page, "05-fever-temperature-shown")
    check_axe(page, axe_findings, "the form with the symptoms section open")
    with autosave_of(page, "symptom_kinds", "cough"):
        page.locator("#f-symptom_kinds-fever").uncheck()
    expect(temperature).to_be_hidden()
    expect(status).to_have_text(saved)
    screenshot(page, "06-fever-unchecked")

    # 4. A reload mid-call: everything typed was autosaved and comes back from the server.
    server = saved_answers(live_server, response_id)
    assert server["national_number"] == VALID_NUMBER
    assert server["symptom_kinds"] == "cough"
    page.reload()
    expect(page).to_have_url(form_url)
    for name, value in {**TYPED, "national_number": VALID_NUMBER}.items():
        expect(page.locator(f"#f-{name}")).to_have_value(value)
    for name, choice in CHOSEN.items():
        expect(page.locator(f"#f-{name}-{choice}")).to_be_checked()
    expect(page.locator("#f-symptom_kinds-cough")).to_be_checked()
    expect(page.locator("#f-symptom_kinds-fever")).not_to_be_checked()
    expect(temperature).to_be_hidden()
    expect(page.locator("#q-identification")).to_be_visible()
    expect(page.locator("#note-identification_thanks")).to_contain_text(TYPED["full_name"])
    assert kept_in_browser(page, response_id) is None  # nothing left to save
    screenshot(page, "07-after-reload")

    # 5. The network drops: the answer stays in the browser and is saved after a reload.
    email = field("email")
    page.route("**/autosave", lambda route: route.abort())
    email.fill("fanny.dupont@example.org")
    expect(status).to_have_text(offline)
    email.scroll_into_view_if_needed()
    expect(status).to_be_in_viewport()  # the notice stays on screen wherever the agent is
    assert kept_in_browser(page, response_id)["email"] == "fanny.dupont@example.org"
    assert saved_answers(live_server, response_id).get("email", "") == ""
    screenshot(page, "08-offline")
    page.unroute("**/autosave")
    with autosave_of(page, "email", "fanny.dupont@example.org"):
        page.reload()
    expect(email).to_have_value("fanny.dupont@example.org")
    expect(status).to_have_text(saved)
    assert saved_answers(live_server, response_id)["email"] == "fanny.dupont@example.org"
    assert kept_in_browser(page, response_id) is None
    expect(page.locator("#f-national_number")).to_have_value(VALID_NUMBER)  # rest untouched
    screenshot(page, "09-restored-after-offline")

    # 6. No serious or critical accessibility violation on the agent's screen (axe needs
    #    the page's timers, which the last step stops).
    assert not axe_findings, "\n".join(
        describe(violations, where) for where, violations in axe_findings.items()
    )

    # 7. The page is closed before the autosave fires: the answer kept in the browser is
    #    saved when the form is opened again. The page's clock stands still, so the
    #    autosave's timer cannot fire by chance.
    context = page.context
    context.clock.install()
    context.clock.pause_at(datetime.datetime.now() + datetime.timedelta(seconds=1))
    autosaves: list[str] = []
    page.on("request", lambda r: autosaves.append(r.url) if r.url.endswith("/autosave") else None)
    field("postcode").fill("4000")
    assert kept_in_browser(page, response_id)["postcode"] == "4000"
    page.close()
    assert autosaves == []
    assert saved_answers(live_server, response_id)["postcode"] == TYPED["postcode"]

    page = context.new_page()
    with autosave_of(page, "postcode", "4000"):
        page.goto(form_url)
    expect(page.locator("#f-postcode")).to_have_value("4000")
    expect(page.locator("#save-status")).to_have_text(saved)
    assert saved_answers(live_server, response_id)["postcode"] == "4000"

    # 8. An answer typed while an autosave is on its way stays in the browser until it is
    #    saved too, even when that autosave comes back first.
    held = []
    page.route("**/autosave", lambda route: held.append(route))
    with page.expect_request("**/autosave"):
        field("postcode").fill("5000")
        context.clock.run_for(500)  # the debounce fires: its request is held
    for _attempt in range(100):  # the route handler runs just after the request event
        if held:
            break
        page.wait_for_timeout(20)
    assert held, "the autosave request was not held"
    field("phone").fill("0470 65 43 21")  # its own autosave waits for the clock
    with page.expect_response("**/autosave") as answer:
        held.pop().continue_()
    revision = answer.value.json()["revision"]
    expect(page.locator("#script-form")).to_have_attribute("data-revision", str(revision))
    assert saved_answers(live_server, response_id)["postcode"] == "5000"
    kept = kept_in_browser(page, response_id)
    assert kept, "an answer typed during an autosave was dropped from the browser's copy"
    assert (kept["postcode"], kept["phone"]) == ("5000", "0470 65 43 21")
    expect(page.locator("#save-status")).to_have_text(fr("Saving…"))  # not "saved" yet
    page.unroute("**/autosave")
    page.close()

    page = context.new_page()
    with autosave_of(page, "phone", "0470 65 43 21"):
        page.goto(form_url)
    expect(page.locator("#f-phone")).to_have_value("0470 65 43 21")
    assert saved_answers(live_server, response_id)["phone"] == "0470 65 43 21"
    screenshot(page, "10-restored-after-close")

    # 9. "Save and check" after autosaves: the page sends the revision the last autosave
    #    got, so the server takes the answers (no "changed in another window") and shows
    #    the answers still missing.
    with page.expect_response(is_form_post) as checked:
        page.get_by_role("button", name=fr("Save and check"), exact=True).click()
    assert checked.value.status == 200
    expect(page.locator("#f-phone")).to_have_value("0470 65 43 21")
    expect(page.locator("#gp_informed-error")).to_have_text(fr("This answer is required."))
    expect(page.locator("#national_number-error")).to_be_hidden()
    screenshot(page, "11-saved-and-checked")

    # 10. "Save and check" pressed while an autosave is on its way: the page waits for that
    #     autosave's answer and sends its answers with the revision it got. Sent at once,
    #     the old revision would make the server refuse them as a stale copy, and the
    #     answer typed last would be gone from the page.
    held = []
    page.route("**/autosave", lambda route: held.append(route))
    with page.expect_request("**/autosave"):
        field("postcode").fill("6000")
        context.clock.run_for(500)  # the debounce fires: its request is held
    for _attempt in range(100):
        if held:
            break
        page.wait_for_timeout(20)
    assert held, "the autosave request was not held"
    field("phone").fill("0470 11 22 33")
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.get_by_role("button", name=fr("Save and check"), exact=True).click()
    page.wait_for_timeout(300)
    assert not [url for url in posts if not url.endswith("/autosave")], "sent before the autosave"
    expect(page.locator("#save-status")).to_have_text(fr("Saving…"))
    with page.expect_response(is_form_post) as checked:
        held.pop().continue_()
    assert checked.value.status == 200
    page.unroute("**/autosave")
    expect(page.locator("#f-phone")).to_have_value("0470 11 22 33")
    expect(page.locator("#f-postcode")).to_have_value("6000")
    assert saved_answers(live_server, response_id)["phone"] == "0470 11 22 33"


def test_script_form_works_without_javascript(new_context, live_server, screenshot):
    fr = catalog("fr").gettext
    definition = script_definition(live_server)
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, FRENCH_AGENT, "fr")
    start_call(page, live_server, definition.settings.title["fr"])
    expect(page.locator("#q-identification")).to_be_hidden()

    called_name = page.locator("#f-called_name")
    expect(called_name).to_have_accessible_name(definition.by_name("called_name").label["fr"])
    called_name.fill(TYPED["called_name"])
    page.locator("#f-consent-yes").check()
    with page.expect_response(is_form_post) as checked:
        page.get_by_role("button", name=fr("Save and check"), exact=True).click()

    assert checked.value.status == 200
    expect(page).to_have_url(FORM_URL)
    expect(page.locator("#f-consent-yes")).to_be_checked()
    expect(page.locator("#f-called_name")).to_have_value(TYPED["called_name"])
    expect(page.locator("#q-identification")).to_be_visible()
    expect(page.locator("#note-intro_greeting")).to_contain_text(TYPED["called_name"])
    # The check shows what is still missing, beside each field.
    full_name = page.locator("#f-full_name")
    expect(page.locator("#full_name-error")).to_have_text(fr("This answer is required."))
    expect(full_name).to_have_attribute("aria-invalid", "true")
    expect(full_name).to_have_accessible_description(fr("This answer is required."))
    expect(page.locator("#called_name-error")).to_be_hidden()
    screenshot(page, "checked")
