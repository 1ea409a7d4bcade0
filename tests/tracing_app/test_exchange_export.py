"""Exports: pages by cursor, formats, pseudonymization, and the cursor under concurrent saves."""

from __future__ import annotations

import csv
import io
import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from content.extensions import db
from tests.fixtures.exchange import bearer
from tests.fixtures.tickets import SAMPLE_PERSON
from tracing_app.exchange import changes, export, tokens
from tracing_app.scripts import operations as scripts
from tracing_app.scripts.models import Script
from tracing_app.seed.scripts import install_demo_scripts
from tracing_app.tickets.models import Ticket

pytestmark = pytest.mark.db


def _feed(client, token, feed, **params):
    response = client.get(f"/api/v1/exports/{feed}", query_string=params, headers=bearer(token))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def _all_records(client, token, feed, limit=2):
    """Follow the cursor to the end; return every record and the final cursor."""
    records, cursor = [], ""
    while True:
        response = _feed(client, token, feed, cursor=cursor, limit=limit, format="json")
        records += response.json["records"]
        cursor = response.json["next_cursor"]
        if not response.json["more"]:
            return records, cursor


@pytest.fixture
def reader(create_api_client):
    """A token that may read exports."""
    return create_api_client(scopes=[tokens.DATA_READ])[1]


def test_pages_follow_the_cursor_without_gaps_or_repeats(client, reader, make_ticket):
    made = [make_ticket(phone=f"0470 00 00 0{n}", national_number=None) for n in range(5)]
    records, cursor = _all_records(client, reader, "tickets", limit=2)
    assert [r["reference"] for r in records] == [t.reference for t in made]
    # Nothing new: the same cursor comes back with no record.
    again = _feed(client, reader, "tickets", cursor=cursor, format="json").json
    assert again == {"records": [], "next_cursor": cursor, "more": False}
    # A ticket saved later comes on the next page, and only it.
    ticket = made[1]
    ticket.status = "closed"
    db.session.commit()
    later = _feed(client, reader, "tickets", cursor=cursor, format="json").json["records"]
    assert [(r["reference"], r["status"]) for r in later] == [(ticket.reference, "closed")]


def test_by_default_tickets_carry_only_a_pseudonym_of_the_national_number(
    client, reader, make_ticket
):
    make_ticket()
    make_ticket(national_number="85073003328", phone="0499 99 99 99", first_name="Ann")
    records, _cursor = _all_records(client, reader, "tickets")
    first, second = records
    assert set(first) == {
        "kind", "reference", "status", "language", "created_dt", "updated_dt",
        "national_number_pseudonym",
    }  # fmt: skip
    # The same person written differently gets the same pseudonym.
    assert first["national_number_pseudonym"] == second["national_number_pseudonym"]
    assert len(first["national_number_pseudonym"]) == 32


def test_fields_configured_in_clear_are_sent_in_clear(
    app, client, reader, make_ticket, monkeypatch
):
    monkeypatch.setitem(
        app.config, "EXCHANGE_TICKET_FIELDS", {"first_name": "clear", "phone": "pseudonym"}
    )
    make_ticket()
    (record,), _cursor = _all_records(client, reader, "tickets")
    assert record["first_name"] == SAMPLE_PERSON["first_name"]
    assert "phone_pseudonym" in record
    assert "national_number_pseudonym" not in record


@pytest.fixture
def filled_form(app, make_ticket, create_user):
    """A completed outbound-case form holding personal data, linked to a ticket."""
    install_demo_scripts()
    script = db.session.scalar(select(Script).where(Script.form_id == "outbound_case"))
    version = scripts.current_version(script)
    agent = create_user(roles=["agent"])
    form = scripts.start_form(version, agent=agent, language="nl")
    answers = scripts.answers(form)
    state = scripts.state(form, answers)
    # Fill every visible text field with a personal-looking value we can search for.
    for slot in state.slots:
        if slot.question.type == "text" and state.visible.get(slot.key, True):
            answers[slot.key] = f"secret-{slot.question.name}"
    scripts.save_answers(form, answers, base_revision=form.revision)
    ticket = make_ticket()
    ticket.script_response_id = form.id
    db.session.commit()
    return form, ticket


def test_forms_are_keyed_by_field_names_and_leave_free_text_out(client, reader, filled_form):
    form, ticket = filled_form
    records, _cursor = _all_records(client, reader, "forms")
    record = next(r for r in records if r["id"] == form.id)
    assert record["form_id"] == "outbound_case"
    assert record["ticket"] == ticket.reference
    assert record["version"]
    assert not any("secret-" in str(v) for v in record["answers"].values())


def test_no_pseudonymized_or_left_out_value_appears_in_any_export(
    client, reader, filled_form, make_ticket
):
    make_ticket()
    personal = [str(v) for k, v in SAMPLE_PERSON.items() if k != "language"] + ["85073003328"]
    for feed in export.FEEDS:
        for output in export.FORMATS:
            if output == "fhir" and feed != "forms":
                continue
            body = _feed(client, reader, feed, format=output, limit=100).get_data(as_text=True)
            for value in personal:
                assert value not in body, (feed, output)
            assert "secret-" not in body


def test_csv_and_json_lines(client, reader, make_ticket):
    made = [make_ticket(phone=f"0470 00 00 1{n}") for n in range(3)]
    lines = _feed(client, reader, "tickets", format="jsonl").get_data(as_text=True).splitlines()
    assert [json.loads(line)["reference"] for line in lines] == [t.reference for t in made]
    response = _feed(client, reader, "tickets", format="csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["reference"] for row in rows] == [t.reference for t in made]
    assert "national_number_pseudonym" in rows[0]
    assert response.headers["X-Next-Cursor"]


@pytest.mark.parametrize(
    ("path", "status"),
    [("/api/v1/exports/tickets?cursor=not-ours", 400), ("/api/v1/exports/people", 404),
     ("/api/v1/exports/tickets?format=xml", 400), ("/api/v1/exports/tickets?limit=x", 400)],
)  # fmt: skip
def test_wrong_requests_are_refused_clearly(client, reader, path, status):
    response = client.get(path, headers=bearer(reader))
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"


def test_the_export_needs_the_read_scope(client, create_api_client):
    _client, token = create_api_client(scopes=[tokens.ORDERS_WRITE])
    assert client.get("/api/v1/exports/tickets", headers=bearer(token)).status_code == 403


def test_the_whole_feed_from_the_command_line(runner, make_ticket):
    made = [make_ticket(phone=f"0470 00 00 2{n}") for n in range(3)]
    result = runner.invoke(args=["exchange", "export", "--feed", "tickets", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert [json.loads(line)["reference"] for line in lines] == [t.reference for t in made]
    cursor = result.stderr.strip().splitlines()[-1].split()[-1]
    again = runner.invoke(args=["exchange", "export", "--since", cursor])
    assert again.exit_code == 0
    assert not [line for line in again.stdout.splitlines() if line.startswith("{")]


# The cursor while agents keep saving ---------------------------------------------------

#: A step: ("begin", n), ("save", n), ("commit", n), ("rollback", n) on writer n, or ("read",).
steps = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(["begin", "save", "commit", "rollback"]), st.integers(0, 2)),
        st.just(("read",)),
    ),
    max_size=25,
)


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(script=steps)
def test_concurrent_saves_are_never_missed_nor_sent_twice(app, backend, script):
    """Three writers save tickets in interleaved transactions while a reader pages.

    A save inserts a ticket and updates it (plain SQL: the table's trigger writes the
    change row, with the writer's transaction id). Each committed ticket must reach the
    reader, no change row twice, whatever the order of commits; on PostgreSQL one row per
    ticket (one transaction each). On SQLite writers cannot overlap (one write lock), so a
    writer commits at once.
    """
    engine = db.engine
    open_writers: dict[int, object] = {}
    committed: list[int] = []
    pending: dict[int, list[int]] = {}
    delivered: list[tuple[int, int]] = []  # (txid, id) of the change rows read
    subjects: list[int] = []
    cursor = changes.Cursor()
    next_reference = [0]

    def read():
        nonlocal cursor
        with db.session.no_autoflush:
            rows, cursor = changes.page(changes.TICKET, cursor, 1000)
        delivered.extend((row.txid, row.id) for row in rows)
        subjects.extend(row.subject_id for row in rows)
        db.session.rollback()  # a fresh snapshot for the next read, as a new request has

    def save(n):
        connection = open_writers.get(n)
        if connection is None:
            return
        next_reference[0] += 1
        subject = connection.execute(
            text(
                "INSERT INTO tickets (reference, status, language, source, version, "
                "created_dt, updated_dt) VALUES (:reference, 'open', 'nl', 'test', 1, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP) RETURNING id"
            ),
            {"reference": f"HY-{next_reference[0]:08d}"},
        ).scalar_one()
        connection.execute(
            text("UPDATE tickets SET status = 'closed', version = 2 WHERE id = :id"),
            {"id": subject},
        )
        pending.setdefault(n, []).append(subject)
        if backend == "sqlite":  # one writer at a time: finish before another may begin
            finish(n, commit=True)

    def finish(n, *, commit):
        connection = open_writers.pop(n, None)
        if connection is None:
            return
        transaction = connection.info.pop("transaction")
        if commit:
            transaction.commit()
            committed.extend(pending.pop(n, []))
        else:
            transaction.rollback()
            pending.pop(n, None)
        connection.close()

    try:
        for step in script:
            if step[0] == "read":
                read()
            elif step[0] == "begin" and step[1] not in open_writers:
                connection = engine.connect()
                connection.info["transaction"] = connection.begin()
                open_writers[step[1]] = connection
            elif step[0] == "save":
                save(step[1])
            elif step[0] in ("commit", "rollback"):
                finish(step[1], commit=step[0] == "commit")
        for n in list(open_writers):
            finish(n, commit=True)
        # Another run's transaction on the same cluster holds PostgreSQL's pages back for a
        # moment: read again until it ends, as a client polling the feed does.
        deadline = time.monotonic() + 30
        read()
        while set(subjects) != set(committed) and time.monotonic() < deadline:
            time.sleep(0.05)
            read()
        assert sorted(set(subjects)) == sorted(committed)
        assert len(delivered) == len(set(delivered))
        if backend == "postgresql":
            assert len(subjects) == len(committed)
    finally:
        for n in list(open_writers):
            finish(n, commit=False)
        with engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM exchange_changes")
            connection.execute(
                text("DELETE FROM tickets WHERE reference LIKE :saved"), {"saved": "HY-%"}
            )


def test_the_ticket_table_holds_no_export_state(make_ticket):
    """Exports read the change feed; saving a ticket writes its change row there."""
    ticket = make_ticket()
    rows = db.session.scalars(select(changes.ExchangeChange)).all()
    assert {(r.kind, r.subject_id) for r in rows} == {("ticket", ticket.id)}
    assert db.session.get(Ticket, ticket.id) is not None


# FHIR ----------------------------------------------------------------------------------


def test_a_script_as_a_fhir_questionnaire(client, reader):
    from fhir.resources.R4B.questionnaire import Questionnaire

    install_demo_scripts()
    db.session.commit()
    response = client.get("/api/v1/fhir/Questionnaire/outbound_case", headers=bearer(reader))
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    resource = Questionnaire.model_validate(response.json)
    assert resource.status == "active"
    choices = [
        item for group in resource.item for item in (group.item or []) if item.type == "choice"
    ]
    assert choices
    assert all(option.valueCoding.code for option in choices[0].answerOption)
    # The other languages travel as FHIR translation extensions.
    languages = {
        ext.extension[0].valueCode
        for item in resource.item
        for ext in (item.text__ext.extension if item.text__ext else [])
    }
    assert languages >= {"fr", "de", "en"} - {response.json["language"]}
    missing = client.get("/api/v1/fhir/Questionnaire/no_such", headers=bearer(reader))
    assert missing.status_code == 404


def test_filled_forms_as_fhir_questionnaire_responses(client, reader, filled_form):
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

    form, ticket = filled_form
    response = _feed(client, reader, "forms", format="fhir")
    assert response.mimetype == "application/fhir+ndjson"
    resources = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    resource = next(r for r in resources if r["id"] == f"form-{form.id}")
    parsed = QuestionnaireResponse.model_validate(resource)
    assert parsed.questionnaire.endswith(
        "/api/v1/fhir/Questionnaire/outbound_case|" + str(form.script_version.version_label)
    )
    assert parsed.identifier.value == ticket.reference
    assert "secret-" not in json.dumps(resource)
    refused = client.get("/api/v1/exports/tickets?format=fhir", headers=bearer(reader))
    assert refused.status_code == 400
