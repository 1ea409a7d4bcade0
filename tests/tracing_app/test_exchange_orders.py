"""Call orders through the API: the import's validation, all or nothing, once per batch."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from content.extensions import db
from tests.fixtures.exchange import bearer
from tracing_app.audit.models import AuditEntry
from tracing_app.calls.models import CallOrder
from tracing_app.exchange import tokens
from tracing_app.tickets.models import Ticket

pytestmark = pytest.mark.db

URL = "/api/v1/call-orders"


def national_number(yymmdd: str, serial: int) -> str:
    """A valid Belgian national number of someone born in the 1900s."""
    base = f"{yymmdd}{serial:03d}"
    return f"{base}{97 - int(base) % 97:02d}"


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _batch(campaign, batch_id="b-1", **overrides):
    orders = overrides.pop(
        "orders",
        [
            {"external_id": "S-1", "first_name": "Els", "last_name": "Peeters",
             "national_number": national_number("850730", 33), "phone": "0470 12 34 56",
             "language": "nl", "priority": 3},
            {"external_id": "S-2", "first_name": "Luc", "last_name": "Dubois",
             "phone": "+32 471 23 45 67", "language": "fr"},
        ],
    )  # fmt: skip
    return {"batch_id": batch_id, "campaign": campaign.name, "orders": orders, **overrides}


def test_a_batch_queues_orders_and_creates_tickets(client, create_api_client, make_campaign):
    campaign = make_campaign()
    _client, token = create_api_client()
    response = client.post(URL, json=_batch(campaign), headers=bearer(token))
    assert response.status_code == 201, response.json
    assert response.json["orders_queued"] == 2
    assert response.json["tickets_created"] == 2
    assert response.json["replayed"] is False
    assert _count(CallOrder) == 2
    assert _count(Ticket) == 2


def test_the_same_batch_twice_creates_nothing_new(client, create_api_client, make_campaign):
    campaign = make_campaign()
    _client, token = create_api_client()
    first = client.post(URL, json=_batch(campaign), headers=bearer(token))
    again = client.post(URL, json=_batch(campaign), headers=bearer(token))
    assert again.status_code == 200
    assert again.json["replayed"] is True
    assert {**again.json, "replayed": False} == first.json
    assert _count(CallOrder) == 2
    assert _count(Ticket) == 2


def test_batch_identifiers_belong_to_their_client(client, create_api_client, make_campaign):
    campaign = make_campaign()
    _one, first_token = create_api_client()
    _two, second_token = create_api_client()
    client.post(URL, json=_batch(campaign), headers=bearer(first_token))
    other = _batch(
        campaign, orders=[{"external_id": "T-1", "last_name": "Maes", "phone": "0472 11 22 33"}]
    )
    response = client.post(URL, json=other, headers=bearer(second_token))
    assert response.status_code == 201
    assert response.json["orders_queued"] == 1


def test_one_bad_item_imports_nothing_and_every_error_is_named(
    client, create_api_client, make_campaign
):
    campaign = make_campaign()
    _client, token = create_api_client()
    orders = [
        {"external_id": "S-1", "last_name": "Maes", "phone": "0470 12 34 56"},
        {
            "external_id": "S-2",
            "last_name": "Claes",
            "national_number": "85073003399",
            "phone": "0471 23 45 67",
        },
        {"external_id": "S-3", "last_name": "Wouters", "phone": "not a phone"},
    ]
    response = client.post(URL, json=_batch(campaign, orders=orders), headers=bearer(token))
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert {(e["item"], e["field"]) for e in response.json["errors"]} == {
        (2, "national_number"),
        (3, "phone"),
    }
    # Nothing was written, and the same batch id may be sent again once corrected.
    assert _count(CallOrder) == 0
    assert _count(Ticket) == 0
    fixed = _batch(campaign, orders=orders[:1])
    assert client.post(URL, json=fixed, headers=bearer(token)).status_code == 201


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ([], ""),
        ({"campaign": "x", "orders": []}, "batch_id"),
        ({"batch_id": "b", "campaign": "no such campaign", "orders": []}, "campaign"),
    ],
)
def test_malformed_requests_say_which_part_is_wrong(client, create_api_client, payload, field):
    _client, token = create_api_client()
    response = client.post(URL, json=payload, headers=bearer(token))
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == field


def test_sending_orders_needs_the_orders_scope(client, create_api_client, make_campaign):
    campaign = make_campaign()
    _client, token = create_api_client(scopes=[tokens.DATA_READ])
    assert client.post(URL, json=_batch(campaign), headers=bearer(token)).status_code == 403
    assert _count(CallOrder) == 0


def test_personal_data_stays_out_of_the_audit_log(client, create_api_client, make_campaign):
    campaign = make_campaign()
    _client, token = create_api_client()
    client.post(URL, json=_batch(campaign), headers=bearer(token))
    logged = " ".join(
        f"{e.action} {e.reason} {e.details}" for e in db.session.scalars(select(AuditEntry))
    )
    assert "api.call" in logged
    for value in ("Peeters", "Dubois", "0470", "850730"):
        assert value not in logged


def test_twin_requests_at_the_same_time_import_once(app, create_api_client, make_campaign):
    campaign = make_campaign()
    _client, token = create_api_client()
    payload = _batch(campaign)
    statuses, barrier = [], threading.Barrier(4)

    def send():
        with app.app_context():
            barrier.wait()
            statuses.append(app.test_client().post(URL, json=payload, headers=bearer(token)))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = sorted(response.status_code for response in statuses)
    assert codes.count(201) == 1, [r.get_json() for r in statuses]
    assert codes.count(200) == 3
    db.session.expire_all()
    assert _count(CallOrder) == 2
