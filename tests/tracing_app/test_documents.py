"""Quarantine certificates and test prescriptions: issue, print, reprint, verify.

The PDF's text is read back with ``content.pdf.extract_text`` and compared with what a
reader of the citizen's language sees: dates written by Babel in that language, the
interface strings of that language's catalog, and the verification address.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from babel.dates import format_date
from sqlalchemy import select

from content.extensions import db
from content.pdf import extract_text
from tests.fixtures.tickets import SAMPLE_PERSON
from tests.fixtures.web import post_form, translated
from tracing_app.audit.models import AuditEntry
from tracing_app.documents import operations
from tracing_app.documents.models import (
    QUARANTINE_CERTIFICATE,
    TEST_PRESCRIPTION,
    TicketDocument,
)
from tracing_app.tickets.access import grant_access


def today() -> dt.date:
    return operations.today()


@pytest.fixture
def agent(auth):
    """A signed-in agent whose interface is in English."""
    return auth.login_as("agent", locale="en")


def issue(client, ticket, **data):
    """Post the issue form of a ticket (as the agent's page does)."""
    return post_form(client, f"/en/documents/tickets/{ticket.reference}/new", data)


def issue_quarantine(client, ticket, start: dt.date, end: dt.date) -> TicketDocument:
    response = issue(
        client,
        ticket,
        kind=QUARANTINE_CERTIFICATE,
        valid_from=start.isoformat(),
        valid_until=end.isoformat(),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalars(select(TicketDocument).order_by(TicketDocument.id.desc())).first()


def download(client, document):
    return post_form(client, f"/en/documents/{document.id}/pdf", {})


def test_quarantine_certificate_is_a_pdf_in_the_citizens_language(client, agent, make_ticket):
    ticket = make_ticket(language="fr", assigned_to=agent)
    start, end = today() + dt.timedelta(days=1), today() + dt.timedelta(days=10)
    document = issue_quarantine(client, ticket, start, end)
    assert document.language == "fr"

    response = download(client, document)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data.startswith(b"%PDF-")
    text = extract_text(response.data)
    # The agent reads English; the citizen gets French.
    assert translated("fr", "Quarantine certificate") in text
    assert translated("fr", "Verification code") in text
    assert format_date(start, "full", locale="fr") in text  # e.g. "lundi 7 décembre 2026"
    assert format_date(end, "full", locale="fr") in text
    assert format_date(start, "full", locale="en") not in text
    assert "Griet Vanderhaeghen" in text
    assert ticket.reference in text
    assert operations.format_code(document.code) in text
    assert f"http://localhost/fr/verify-document/{document.code}" in text


def test_test_prescription_in_german_carries_the_national_number_and_test_date(
    client, agent, make_ticket
):
    ticket = make_ticket(language="de", assigned_to=agent)
    test_day = today() + dt.timedelta(days=2)
    response = issue(client, ticket, kind=TEST_PRESCRIPTION, test_date=test_day.isoformat())
    assert response.status_code == 302
    document = db.session.scalar(select(TicketDocument))
    assert (document.kind, document.test_date, document.valid_from) == (
        TEST_PRESCRIPTION,
        test_day,
        None,
    )
    text = extract_text(download(client, document).data)
    assert translated("de", "Test prescription") in text
    assert format_date(test_day, "full", locale="de") in text
    assert SAMPLE_PERSON["national_number"] in text
    assert f"/de/verify-document/{document.code}" in text


@pytest.mark.db
def test_issue_print_and_reprints_are_recorded_and_audited_without_personal_data(
    client, agent, make_ticket
):
    ticket = make_ticket(language="nl", assigned_to=agent)
    document = issue_quarantine(client, ticket, today(), today() + dt.timedelta(days=7))
    assert document.issued_by_id == agent.id
    assert document.prints == []

    for _ in range(3):
        assert download(client, document).status_code == 200
    db.session.expire_all()
    assert [p.reprint for p in document.prints] == [False, True, True]
    assert {p.printed_by_id for p in document.prints} == {agent.id}

    page = client.get(f"/en/documents/{document.id}").get_data(as_text=True)
    assert page.count("Reprint<") == 2
    assert "First print" in page

    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.subject_id == ticket.reference)
    ).all()
    actions = [e.action for e in entries if e.action.startswith("document.")]
    assert actions == [
        "document.issued",
        "document.printed",
        "document.reprinted",
        "document.reprinted",
    ]
    # Each issue and print decrypted the person's data: the ticket's own audit says so.
    assert sum(e.action == "ticket.view" for e in entries) == 4
    logged = " ".join(e.details + e.reason for e in entries)
    for value in ("Griet", "Vanderhaeghen", "85.07.30", "0470", document.code):
        assert value not in logged


def test_verification_page_shows_the_minimum_and_follows_revocation(client, agent, make_ticket):
    ticket = make_ticket(language="fr", assigned_to=agent)
    start, end = today(), today() + dt.timedelta(days=7)
    document = issue_quarantine(client, ticket, start, end)
    url = f"/fr/verify-document/{document.code}"

    anonymous = client.application.test_client()
    page = anonymous.get(url)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert translated("fr", "This document is genuine and valid.") in html
    assert "G. V." in html
    assert format_date(end, "long", locale="fr") in html
    for hidden in ("Griet", "Vanderhaeghen", "85.07.30", ticket.reference, "Kouter"):
        assert hidden not in html

    response = post_form(client, f"/en/documents/{document.id}/revoke", {})
    assert response.status_code == 302
    html = anonymous.get(url).get_data(as_text=True)
    assert translated("fr", "This document was revoked: it is no longer valid.") in html
    # A revoked document is not printed again.
    assert download(client, document).status_code == 302
    assert len(db.session.get(TicketDocument, document.id).prints) == 0


def test_verification_states_expired_and_not_yet_valid(client, agent, make_ticket):
    ticket = make_ticket(language="en", assigned_to=agent)
    past = issue_quarantine(
        client, ticket, today() - dt.timedelta(days=20), today() - dt.timedelta(days=10)
    )
    future = issue_quarantine(
        client, ticket, today() + dt.timedelta(days=3), today() + dt.timedelta(days=9)
    )
    late = issue(
        client,
        ticket,
        kind=TEST_PRESCRIPTION,
        test_date=(today() - dt.timedelta(days=15)).isoformat(),  # the 14 days are over
    )
    assert late.status_code == 302
    prescription = db.session.scalar(
        select(TicketDocument).where(TicketDocument.kind == TEST_PRESCRIPTION)
    )
    anonymous = client.application.test_client()
    for document in (past, prescription):
        assert "genuine but no longer valid" in anonymous.get(
            f"/en/verify-document/{document.code}"
        ).get_data(as_text=True)
    assert "genuine but not valid yet" in anonymous.get(
        f"/en/verify-document/{future.code}"
    ).get_data(as_text=True)


def test_unknown_or_mistyped_codes(client, agent, make_ticket):
    ticket = make_ticket(language="en", assigned_to=agent)
    document = issue_quarantine(client, ticket, today(), today() + dt.timedelta(days=5))
    anonymous = client.application.test_client()

    missing = anonymous.get("/en/verify-document/" + "0" * operations.CODE_LENGTH)
    assert missing.status_code == 404
    assert "No document has this verification code" in missing.get_data(as_text=True)

    # Typed from the paper: lower case, dashes, an O for a zero are forgiven.
    typed = operations.format_code(document.code).lower()
    response = anonymous.get("/en/verify-document/", query_string={"code": typed})
    assert response.status_code == 302
    assert response.location.endswith(f"/en/verify-document/{document.code}")
    response = anonymous.get("/en/verify-document/", query_string={"code": "ABC"})
    assert response.status_code == 400
    assert "20 letters and digits" in response.get_data(as_text=True)


def test_dates_are_checked_and_the_form_keeps_what_was_typed(client, agent, make_ticket):
    ticket = make_ticket(language="nl", assigned_to=agent)
    start = today() + dt.timedelta(days=5)
    response = issue(
        client,
        ticket,
        kind=QUARANTINE_CERTIFICATE,
        valid_from=start.isoformat(),
        valid_until=(start - dt.timedelta(days=1)).isoformat(),
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="valid_until-error"' in html
    assert "The last day cannot come before the first day." in html
    assert f'value="{start.isoformat()}"' in html
    response = issue(client, ticket, kind=TEST_PRESCRIPTION)
    assert "Enter the date of the test." in response.get_data(as_text=True)
    assert db.session.scalar(select(TicketDocument)) is None


def test_an_agent_needs_a_lookup_or_an_assignment(client, agent, make_ticket):
    ticket = make_ticket(language="nl")  # not assigned to the agent
    assert client.get(f"/en/documents/tickets/{ticket.reference}/new").status_code == 404
    assert (
        issue(client, ticket, kind=TEST_PRESCRIPTION, test_date=today().isoformat()).status_code
        == 404
    )
    assert db.session.scalar(select(TicketDocument)) is None

    grant_access(agent, ticket, reason="lookup")  # what a lookup that found it does
    db.session.commit()
    assert client.get(f"/en/documents/tickets/{ticket.reference}/new").status_code == 200
    assert (
        issue(client, ticket, kind=TEST_PRESCRIPTION, test_date=today().isoformat()).status_code
        == 302
    )


def test_documents_of_another_agents_ticket_stay_closed(client, auth, create_user, make_ticket):
    owner = create_user(roles=["agent"])
    ticket = make_ticket(assigned_to=owner)
    document = operations.issue_document(
        ticket, kind=TEST_PRESCRIPTION, actor=owner, today=today(), test_date=today()
    )
    db.session.commit()
    auth.login_as("agent")
    assert client.get(f"/en/documents/{document.id}").status_code == 404
    assert download(client, document).status_code == 404
    assert post_form(client, f"/en/documents/{document.id}/revoke", {}).status_code == 404
    assert not db.session.get(TicketDocument, document.id).revoked


def _denied(action: str, subject_id: str) -> list[str]:
    """The ``details`` of the refusals of ``action`` recorded for ``subject_id``."""
    rows = db.session.scalars(
        select(AuditEntry.details).where(
            AuditEntry.action == action, AuditEntry.subject_id == subject_id
        )
    )
    return [json.loads(details) for details in rows]


def _without_csrf_token(page: str) -> str:
    """The page less its CSRF token, which carries the second it was signed in."""
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', page)


def test_a_ticket_reference_answers_alike_whether_it_exists_or_not(client, agent, make_ticket):
    """No reference oracle: an existing ticket the agent may not open looks unknown."""
    ticket = make_ticket()
    unknown = "T-" + "2" * len(ticket.reference.removeprefix("T-"))
    for path in ("", "/new"):
        existing = client.get(f"/en/documents/tickets/{ticket.reference}{path}")
        missing = client.get(f"/en/documents/tickets/{unknown}{path}")
        assert (existing.status_code, missing.status_code) == (404, 404)
        # The same page (its language links name the URL asked for).
        page = existing.get_data(as_text=True).replace(ticket.reference, unknown)
        assert _without_csrf_token(page) == _without_csrf_token(missing.get_data(as_text=True))
    assert _denied("ticket.open_denied", ticket.reference) == [{"exists": True}] * 2


def test_a_document_number_answers_alike_whether_it_exists_or_not(
    client, auth, create_user, make_ticket
):
    owner = create_user(roles=["agent"])
    document = operations.issue_document(
        make_ticket(assigned_to=owner),
        kind=TEST_PRESCRIPTION,
        actor=owner,
        today=today(),
        test_date=today(),
    )
    db.session.commit()
    auth.login_as("agent")
    existing = client.get(f"/en/documents/{document.id}")
    missing = client.get(f"/en/documents/{document.id + 1000}")
    assert (existing.status_code, missing.status_code) == (404, 404)
    page = existing.get_data(as_text=True)
    assert page.replace(f"/documents/{document.id}", f"/documents/{document.id + 1000}") == (
        missing.get_data(as_text=True)
    )
    assert _denied("document.open_denied", str(document.id)) == [{"exists": True}]
    assert _denied("document.open_denied", str(document.id + 1000)) == [{"exists": False}]


def test_codes_are_random_readable_and_normalized():
    codes = {operations.new_code() for _ in range(1000)}
    assert len(codes) == 1000
    assert all(len(c) == 20 and set(c) <= set(operations.CODE_ALPHABET) for c in codes)
    code = "0123456789ABCDEFGHJK"
    assert operations.format_code(code) == "0123-4567-89AB-CDEF-GHJK"
    assert operations.normalize_code("o123 4567-89ab.cdef-ghjk") == code
    assert operations.normalize_code("I1L1" + code[4:]) == "1111" + code[4:]
    assert operations.normalize_code(code + "0") is None
    assert operations.normalize_code("U" + code[1:]) is None


def test_initials():
    assert operations.initials("Griet", "Vanderhaeghen") == "G. V."
    assert operations.initials("Jean-Pierre", "Van den Bossche") == "J. P. V. D."
    assert operations.initials(None, "Peeters") == "P."
    assert operations.initials(None, None) == "—"


def test_the_ticket_partial_renders_on_any_page(app, create_user, make_ticket):
    """The ticket page (tickets blueprint) includes documents/_ticket_documents.html."""
    from flask import render_template_string
    from flask_login import login_user

    agent = create_user(roles=["agent"])
    ticket = make_ticket(assigned_to=agent)
    operations.issue_document(
        ticket, kind=TEST_PRESCRIPTION, actor=agent, today=today(), test_date=today()
    )
    db.session.commit()
    with app.test_request_context("/en/"):
        login_user(agent)
        html = render_template_string(
            '{% include "documents/_ticket_documents.html" %}', ticket=ticket
        )
    assert "Test prescription" in html
    assert f"/en/documents/tickets/{ticket.reference}/new" in html  # "Issue a document"
