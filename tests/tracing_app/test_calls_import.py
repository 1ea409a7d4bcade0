"""Importing call orders: all or nothing, problems by row, tickets created or linked once."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from content.extensions import db
from tests.fixtures.calls import CALLS_NOW as NOW
from tracing_app.calls import importer
from tracing_app.calls.models import CallOrder
from tracing_app.tickets.models import Ticket
from tracing_app.tickets.operations import PersonData, create_ticket, decrypt_ticket

pytestmark = pytest.mark.db

HEADER = (
    "external_id,first_name,last_name,national_number,birth_date,phone,email,language,priority,due"
)


def national_number(yymmdd: str, serial: int) -> str:
    """A valid Belgian national number of someone born in the 1900s."""
    base = f"{yymmdd}{serial:03d}"
    return f"{base}{97 - int(base) % 97:02d}"


def _csv(*rows: str) -> bytes:
    return "\n".join([HEADER, *rows]).encode()


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _import(campaign, data: bytes, name: str = "orders.csv"):
    summary = importer.import_orders(data, name, campaign, actor=None, now=NOW)
    db.session.commit()
    return summary


def test_a_valid_csv_queues_orders_on_new_tickets(make_campaign):
    campaign = make_campaign()
    nn = national_number("850730", 33)
    data = _csv(
        f"HI-1,Griet,Vanderhaeghen,{nn},1985-07-30,0470 12 34 56,griet@example.org,nl,5,"
        "2026-11-24T09:30",
        "HI-2,Jean,Dupont,,,+32 2 511 22 33,,fr,,",
    )
    summary = _import(campaign, data)
    assert (summary.orders, summary.tickets_created, summary.tickets_linked) == (2, 2, 0)
    orders = db.session.scalars(select(CallOrder).order_by(CallOrder.external_id)).all()
    assert [o.external_id for o in orders] == ["HI-1", "HI-2"]
    first, second = orders
    assert first.priority == 5
    assert first.due_dt == datetime(2026, 11, 24, 8, 30, tzinfo=UTC)  # 09:30 in Brussels
    assert second.due_dt == NOW
    person = decrypt_ticket(db.session.get(Ticket, first.ticket_id))
    assert (person.phone, person.national_number) == ("+32470123456", nn)
    assert db.session.get(Ticket, second.ticket_id).language == "fr"


def test_json_is_accepted_too(make_campaign):
    campaign = make_campaign()
    data = json.dumps(
        {"orders": [{"last_name": "Peeters", "phone": "0471 23 45 67", "priority": 2}]}
    ).encode()
    summary = _import(campaign, data, "orders.json")
    assert summary.orders == 1
    assert db.session.scalars(select(CallOrder)).one().priority == 2


def test_any_problem_imports_nothing_and_each_is_reported_by_row(make_campaign):
    campaign = make_campaign()
    data = _csv(
        "A,Ann,Good,,,0470 12 34 56,,nl,,",
        "B,Bert,Bad,12.34.56-789.00,,0470 12 34 57,,nl,,",
        "C,Cor,,,,not a phone,,xx,high,tomorrow",
        "A,Dirk,Again,,1985-07-30,0470 12 34 58,,nl,,",
    )
    with pytest.raises(importer.ImportRejected) as caught:
        importer.import_orders(data, "orders.csv", campaign, actor=None, now=NOW)
    db.session.rollback()
    found = {(p.row, p.field) for p in caught.value.problems}
    assert found == {
        (3, "national_number"),
        (4, "phone"),
        (4, "language"),
        (4, "priority"),
        (4, "due"),
        (5, "external_id"),
    }
    assert (_count(CallOrder), _count(Ticket)) == (0, 0)


def test_problems_never_repeat_the_value(make_campaign):
    campaign = make_campaign()
    with pytest.raises(importer.ImportRejected) as caught:
        importer.import_orders(
            _csv("X,Ann,Good,85.07.30-033.99,,0470 12 34 56,,nl,,"),
            "orders.csv",
            campaign,
            actor=None,
            now=NOW,
        )
    assert all("033" not in p.message for p in caught.value.problems)


def test_unknown_columns_and_a_birth_date_that_contradicts_the_national_number(make_campaign):
    campaign = make_campaign()
    with pytest.raises(importer.ImportRejected) as caught:
        importer.import_orders(
            b"last_name,phone,shoe_size\nX,0470123456,42\n", "o.csv", campaign, actor=None, now=NOW
        )
    assert [(p.row, p.field) for p in caught.value.problems] == [(1, "shoe_size")]
    nn = national_number("850730", 33)
    with pytest.raises(importer.ImportRejected) as caught:
        importer.import_orders(
            _csv(f",A,B,{nn},1985-07-31,0470123456,,,,"), "o.csv", campaign, actor=None, now=NOW
        )
    assert [(p.row, p.field) for p in caught.value.problems] == [(2, "birth_date")]


def test_an_external_id_already_imported_is_refused(make_campaign):
    campaign = make_campaign()
    _import(campaign, _csv("HI-1,Ann,Good,,,0470 12 34 56,,nl,,"))
    with pytest.raises(importer.ImportRejected) as caught:
        importer.import_orders(
            _csv("HI-1,Ann,Good,,,0470 12 34 56,,nl,,"), "o.csv", campaign, actor=None, now=NOW
        )
    assert [(p.row, p.field) for p in caught.value.problems] == [(2, "external_id")]


def test_duplicates_within_the_file_get_one_ticket_and_one_order(make_campaign):
    campaign = make_campaign()
    nn = national_number("850730", 33)
    data = _csv(
        f"1,Griet,Vanderhaeghen,{nn},,0470 12 34 56,,nl,,",
        "2,Piet,Peeters,,1990-01-01,0471 00 00 01,,nl,,",
        f"3,Griet,V.,{nn},,0470 99 99 99,,nl,,",  # same national number as row 2
        "4,Piet,Peeters,,1990-01-01,+32471000001,,nl,,",  # same phone and birth date as row 3
    )
    summary = _import(campaign, data)
    assert (summary.orders, summary.tickets_created, summary.tickets_linked) == (2, 2, 2)
    assert summary.already_queued == [4, 5]
    assert (_count(CallOrder), _count(Ticket)) == (2, 2)


def test_existing_tickets_are_linked_and_twins_shown_for_merging(make_campaign):
    campaign = make_campaign()
    nn = national_number("850730", 33)
    known = create_ticket(
        PersonData(first_name="Griet", national_number=nn), actor=None, source="test"
    )
    mother = create_ticket(
        PersonData(first_name="Lies", phone="+32470555555", birth_date=datetime(1990, 1, 1).date()),
        actor=None,
        source="test",
    )
    db.session.commit()
    data = _csv(
        f",Griet,Vanderhaeghen,{nn},,0470 12 34 56,,nl,,",
        ",Lotte,Twin,,1990-01-01,0470 55 55 55,,nl,,",
    )
    summary = _import(campaign, data)
    assert (summary.tickets_created, summary.tickets_linked) == (1, 1)
    orders = db.session.scalars(select(CallOrder).order_by(CallOrder.id)).all()
    assert orders[0].ticket_id == known.id
    assert summary.possible_duplicates == [(3, orders[1].ticket.reference, [mother.reference])]


def test_an_open_order_of_the_same_person_is_not_doubled(make_campaign):
    campaign = make_campaign()
    _import(campaign, _csv("1,Ann,Good,,1980-02-02,0470 12 34 56,,nl,,"))
    summary = _import(campaign, _csv("2,Ann,Good,,1980-02-02,0470 12 34 56,,nl,,"))
    assert (summary.orders, summary.already_queued) == (0, [2])


def test_cli_imports_and_reports_problems_by_row(make_campaign, runner, tmp_path):
    campaign = make_campaign(name="Cases")
    good = tmp_path / "good.csv"
    good.write_bytes(_csv("1,Ann,Good,,,0470 12 34 56,,nl,,"))
    result = runner.invoke(args=["calls", "import", str(good), "--campaign", "Cases"])
    assert result.exit_code == 0, result.output
    assert "0470" not in result.output
    assert "Ann" not in result.output
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv("2,Bob,Bad,,,12,,nl,,"))
    result = runner.invoke(args=["calls", "import", str(bad), "--campaign", "Cases"])
    assert result.exit_code == 1
    assert "2" in result.output
    assert "phone" in result.output  # row 2, field phone
    assert db.session.scalar(select(func.count()).select_from(CallOrder)) == 1
    assert campaign.id


def test_problems_are_in_the_supervisors_language(client, auth, make_campaign):
    from tests.fixtures.web import post_form

    campaign = make_campaign()
    auth.login_as("supervisor")
    response = post_form(
        client,
        f"/fr/calls/campaigns/{campaign.id}/import",
        {"file": (io.BytesIO(b"last_name,phone\nBad,12\n"), "o.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Ce n&#39;est pas un numéro de téléphone valide." in response.get_data(as_text=True)


def test_nothing_personal_reaches_the_logs(make_campaign, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    campaign = make_campaign()
    nn = national_number("850730", 33)
    _import(campaign, _csv(f"1,Griet,Vanderhaeghen,{nn},,0470 12 34 56,,nl,,"))
    with pytest.raises(importer.ImportRejected):
        importer.import_orders(
            _csv("2,Griet,Vanderhaeghen,85.07.30-033.99,,0470 12 34 56,,nl,,"),
            "o.csv",
            campaign,
            actor=None,
            now=NOW,
        )
    for value in ("Griet", "Vanderhaeghen", nn, "0470", "+32470123456"):
        assert value not in caplog.text
